import { status, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";
import {
  callUnary,
  createGrpcClient,
  errorReason,
  HttpProblem,
  peerUnavailable,
  unavailableProblem,
  type GrpcTls,
} from "@handoff/runtime";
import { Actor, type AbandonReason, type EndReason, type Permission } from "@handoff/proto/common";
import {
  SessionBrokerServiceClient,
  type CallCustomerBackResponse,
  type CreateSessionRequest,
  type CreateSessionResponse,
  type ResumeSessionResponse,
  type SetCustomerAwayResponse,
  type GetSessionResponse,
  type PermissionGrant,
  type Requester,
  type WatchSessionResponse,
} from "@handoff/proto/session_broker_service";

/** Which session a customer acts on, and the token that proves it is his. */
export interface CustomerCredential {
  siteId: string;
  sessionId: string;
  customerToken: string;
}

const isServiceError = (error: unknown): error is ServiceError =>
  typeof error === "object" && error !== null && "code" in error && "metadata" in error;

/** The broker's proto field names (`customer.company_code`) as the portal's JSON names them. */
const jsonField = (field: string): string =>
  field.replace(/^customer_token$/, "authorization").replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const STATUS_OF: Partial<Record<status, [number, string]>> = {
  [status.NOT_FOUND]: [404, "Not found"],
  [status.PERMISSION_DENIED]: [403, "Forbidden"],
  [status.FAILED_PRECONDITION]: [409, "Conflict"],
  [status.ALREADY_EXISTS]: [409, "Conflict"],
  [status.RESOURCE_EXHAUSTED]: [429, "Too many requests"],
};

/**
 * A refused broker call as the customer's problem body: a field the broker refuses is a 400 naming it
 * (in the portal's camelCase), a rule keeps the broker's machine-readable reason. A broker that cannot
 * serve is 503 BROKER_UNAVAILABLE naming what failed (`session-broker` itself, or its dependency:
 * `session-broker/postgresql`), with its Retry-After. Anything else is left to the runtime's 500.
 */
export function brokerProblem(error: unknown): unknown {
  if (!isServiceError(error)) return error;
  const unavailable = peerUnavailable(error, "session-broker");
  if (unavailable) return unavailableProblem("BROKER_UNAVAILABLE", unavailable);
  if (error.code === status.INVALID_ARGUMENT) {
    const raw = String(error.metadata.get("field")[0] ?? "body");
    const field = jsonField(raw);
    const problem = error.details.startsWith(`${raw}: `) ? error.details.slice(raw.length + 2) : error.details;
    return new HttpProblem(400, "Invalid request", `${field}: ${problem}`, field, { errors: [{ field, problem }] });
  }
  const mapped = STATUS_OF[error.code];
  if (!mapped) return error;
  const reason = errorReason(error);
  // A wrong token and an unknown session look the same: a stranger learns nothing from the answer.
  if (reason === "NOT_ALLOWED" || reason === "SESSION_NOT_FOUND")
    return new HttpProblem(404, "Not found", "no such session for this token", undefined, {
      reason: "SESSION_NOT_FOUND",
    });
  // RFC 9110 422: the request is well formed, but its key names another request.
  if (reason === "IDEMPOTENCY_KEY_REUSED")
    return new HttpProblem(
      422,
      "Unprocessable content",
      error.details.replace(/^idempotency_key/, "Idempotency-Key"),
      "Idempotency-Key",
      { reason },
    );
  return new HttpProblem(mapped[0], mapped[1], error.details, undefined, reason ? { reason } : {});
}

const customer = (c: CustomerCredential): Requester => ({
  actor: Actor.ACTOR_CUSTOMER,
  id: "",
  customerToken: c.customerToken,
});

/** The session-broker as the customer's side uses it: every call names the session and its token. */
export class CustomerBroker {
  private readonly client: SessionBrokerServiceClient;

  constructor(address: string, tls: GrpcTls) {
    this.client = createGrpcClient(SessionBrokerServiceClient, address, tls);
  }

  createSession(request: CreateSessionRequest): Promise<CreateSessionResponse> {
    return callUnary(this.client, "createSession", request);
  }

  /**
   * The session an earlier start with `request.idempotencyKey` started, as the broker answers a retry of
   * it (same session, same customer token); undefined when the site has not used the key. Creates nothing.
   */
  async repeatedStart(request: CreateSessionRequest): Promise<CreateSessionResponse | undefined> {
    try {
      return await callUnary(this.client, "createSession", { ...request, repeatOnly: true });
    } catch (error) {
      if (errorReason(error) === "START_KEY_UNUSED") return undefined;
      throw error;
    }
  }

  getSession(c: CustomerCredential): Promise<GetSessionResponse> {
    return callUnary(this.client, "getSession", { ...ids(c), requester: customer(c) });
  }

  async end(c: CustomerCredential, reason: EndReason, abandonReason: AbandonReason): Promise<void> {
    await callUnary(this.client, "closeSession", { ...ids(c), requester: customer(c), reason, abandonReason });
  }

  /** Keep my place: he leaves the page keeping his place, or is back. */
  setAway(c: CustomerCredential, away: boolean): Promise<SetCustomerAwayResponse> {
    return callUnary(this.client, "setCustomerAway", { ...ids(c), requester: customer(c), away });
  }

  /** Intake's callback of an away customer (no customer token: intake calls him, he did not ask). */
  callBack(
    siteId: string,
    sessionId: string,
    returnWithinMs: number,
    channel: string,
  ): Promise<CallCustomerBackResponse> {
    return callUnary(this.client, "callCustomerBack", { siteId, sessionId, returnWithinMs, channel });
  }

  /** The session as intake itself reads it (the callback's webhook names the customer to reach). */
  sessionForCallback(siteId: string, sessionId: string): Promise<GetSessionResponse> {
    return callUnary(this.client, "getSession", {
      siteId,
      sessionId,
      requester: { actor: Actor.ACTOR_SYSTEM, id: "", customerToken: "" },
    });
  }

  /** The resume link's one-time token for a new customer token. */
  resume(siteId: string, sessionId: string, resumeToken: string): Promise<ResumeSessionResponse> {
    return callUnary(this.client, "resumeSession", { siteId, sessionId, resumeToken });
  }

  async chat(c: CustomerCredential, text: string): Promise<number> {
    return (await callUnary(this.client, "sendChatMessage", { ...ids(c), requester: customer(c), text })).sequence;
  }

  async answerPermission(c: CustomerCredential, requestId: string, granted: boolean): Promise<PermissionGrant[]> {
    const answer = await callUnary(this.client, "answerPermission", {
      ...ids(c),
      requester: customer(c),
      requestId,
      granted,
    });
    return answer.granted;
  }

  async requestFileSend(c: CustomerCredential, fileName: string, sizeBytes: number): Promise<string> {
    const answer = await callUnary(this.client, "requestFileSend", {
      ...ids(c),
      requester: customer(c),
      fileName,
      sizeBytes,
    });
    return answer.requestId;
  }

  async revokePermission(
    c: CustomerCredential,
    permission: Permission,
    application: string,
  ): Promise<PermissionGrant[]> {
    const answer = await callUnary(this.client, "revokePermission", {
      ...ids(c),
      requester: customer(c),
      permission,
      application,
    });
    return answer.granted;
  }

  async submitSurvey(c: CustomerCredential, satisfaction: number, comment: string): Promise<void> {
    await callUnary(this.client, "submitCustomerSurvey", { ...ids(c), requester: customer(c), satisfaction, comment });
  }

  /** The session's events after `afterSequence`, then live ones, until cancelled or the broker ends it. */
  watch(c: CustomerCredential, afterSequence: number): ClientReadableStream<WatchSessionResponse> {
    return this.client.watchSession({ ...ids(c), requester: customer(c), afterSequence });
  }

  close(): void {
    this.client.close();
  }
}

const ids = (c: CustomerCredential) => ({ siteId: c.siteId, sessionId: c.sessionId });
