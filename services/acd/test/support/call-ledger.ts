import { status, type ServiceError } from "@grpc/grpc-js";

export type CallResult<T> = { outcome: "ok"; value: T } | { outcome: "refused" | "unknown"; error: ServiceError };

/** Codes that say nothing about whether the call took effect: the connection or the server went away. */
const IN_DOUBT = new Set<number>([
  status.UNAVAILABLE,
  status.CANCELLED,
  status.DEADLINE_EXCEEDED,
  status.UNKNOWN,
  status.INTERNAL,
]);

/**
 * Tallies the calls of a randomized run by operation and outcome. A refusal the caller expects (a stale
 * fencing token, a session in the wrong state) is `refused`; a transport failure while `inDoubt()` (the
 * acd was being killed) is `unknown`, and the caller must accept either effect; anything else is kept
 * verbatim as unexpected.
 */
export class CallLedger {
  readonly counts = new Map<string, number>();
  readonly unexpected: string[] = [];

  constructor(private readonly inDoubt: () => boolean = () => false) {}

  async call<T>(op: string, run: () => Promise<T>, refusals: readonly status[] = []): Promise<CallResult<T>> {
    try {
      const value = await run();
      this.count(op, "ok");
      return { outcome: "ok", value };
    } catch (caught) {
      const error = caught as ServiceError;
      if (refusals.includes(error.code)) {
        this.count(op, "refused");
        return { outcome: "refused", error };
      }
      this.count(op, "unknown");
      if (!(IN_DOUBT.has(error.code) && this.inDoubt())) {
        this.unexpected.push(`${op}: ${status[error.code] ?? error.code} ${error.details ?? error.message}`);
      }
      return { outcome: "unknown", error };
    }
  }

  /** "enqueue ok=120 refused=3 · accept ok=40 ..." */
  summary(): string {
    const byOp = new Map<string, string[]>();
    for (const [key, n] of [...this.counts].sort()) {
      const [op = "", outcome] = key.split(" ");
      (byOp.get(op) ?? byOp.set(op, []).get(op)!).push(`${outcome}=${n}`);
    }
    return [...byOp].map(([op, parts]) => `${op} ${parts.join(" ")}`).join(" · ");
  }

  total(op: string, outcome: "ok" | "refused" | "unknown"): number {
    return this.counts.get(`${op} ${outcome}`) ?? 0;
  }

  private count(op: string, outcome: string): void {
    const key = `${op} ${outcome}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
}
