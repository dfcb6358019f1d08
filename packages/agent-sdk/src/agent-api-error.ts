/** A problem body (RFC 9457) the agent API answered with. */
export interface Problem {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  /** The request field at fault, for 400s. */
  field?: string;
  /** A stable reason, e.g. `OFFER_EXPIRED`. */
  reason?: string;
  [member: string]: unknown;
}

/** A command the agent API refused (4xx) or could not do (5xx). */
export class AgentApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
    this.name = "AgentApiError";
  }

  get status(): number {
    return this.problem.status;
  }

  get reason(): string | undefined {
    return this.problem.reason;
  }
}
