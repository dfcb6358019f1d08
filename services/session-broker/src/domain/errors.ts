/**
 * Failures of the broker's rules. Each carries a stable machine-readable `reason` that the gRPC
 * adapter puts into the status details (google.rpc.ErrorInfo), so callers need not parse text.
 */
export abstract class BrokerDomainError extends Error {
  abstract readonly reason: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class SessionNotFoundError extends BrokerDomainError {
  readonly reason = "SESSION_NOT_FOUND";
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} does not exist`);
  }
}

export class SessionAlreadyExistsError extends BrokerDomainError {
  readonly reason = "SESSION_ALREADY_EXISTS";
  constructor(readonly sessionId: string) {
    super(`session ${sessionId} already exists`);
  }
}

/** The session is not in a state that allows the request (e.g. chat after it ended). */
export class SessionStateConflictError extends BrokerDomainError {
  readonly reason = "SESSION_STATE_CONFLICT";
  constructor(
    readonly sessionId: string,
    readonly state: string,
    why: string,
  ) {
    super(`session ${sessionId} is ${state}: ${why}`);
  }
}

/** An accept with a fencing token not newer than the committed one, or for an offer that is gone. */
export class StaleOfferError extends BrokerDomainError {
  readonly reason = "STALE_EPOCH";
  constructor(
    readonly sessionId: string,
    readonly epoch: number,
    why: string,
  ) {
    super(`offer of session ${sessionId} with epoch ${epoch} ${why}`);
  }
}

/** The acd refused an offer operation; `acdReason` is its ErrorInfo reason when it gave one. */
export class OfferRefusedError extends BrokerDomainError {
  readonly reason: string;
  constructor(
    readonly sessionId: string,
    acdReason: string | undefined,
    message: string,
  ) {
    super(`session ${sessionId}: ${message}`);
    this.reason = acdReason ?? "OFFER_REFUSED";
  }
}

/**
 * The acd's queue for the session is full (its team's MAX_WAITING_PER_TEAM or its site's
 * MAX_SESSIONS_PER_SITE): waiting cannot help the customer now, so the session ends and he is told.
 */
export class QueueFullError extends BrokerDomainError {
  readonly reason = "QUEUE_FULL";
  constructor(
    readonly sessionId: string,
    message: string,
  ) {
    super(`session ${sessionId}: ${message}`);
  }
}

/** The requester is not allowed to act on this session (not a participant, wrong customer token). */
export class NotAllowedError extends BrokerDomainError {
  readonly reason = "NOT_ALLOWED";
}

/** A request refers to something that does not exist in this session (permission request, invitation). */
export class UnknownReferenceError extends BrokerDomainError {
  readonly reason = "UNKNOWN_REFERENCE";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A value breaks a rule that only the domain knows (a setting, a survey score); names the field. */
export class InvalidFieldError extends BrokerDomainError {
  readonly reason = "INVALID_FIELD";
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field}: ${problem}`);
  }
}

/**
 * The acd holds no routing config for the site: never put, or its Redis lost it (the operations
 * guide's recovery runbook puts it again). A field error to a caller who named the site, but a new
 * session waits for it in PostgreSQL (the reconciler enqueues it once the config is back).
 */
export class SiteNotRoutedError extends InvalidFieldError {}

/**
 * A key, invitation or access link that is unknown, used, revoked or expired. One message for all,
 * so a guesser learns nothing about which.
 */
export class CredentialRejectedError extends BrokerDomainError {
  readonly reason = "CREDENTIAL_REJECTED";
  constructor() {
    super("this key or link is not valid");
  }
}

/** Too many failed redemptions from this address, or from everywhere: try again later. */
export class RedemptionLockedError extends BrokerDomainError {
  readonly reason = "REDEMPTION_LOCKED";
  constructor(readonly retryAfterMs: number) {
    super(`too many failed attempts; try again in ${Math.ceil(retryAfterMs / 1000)} s`);
  }
}

/** The acd did not answer; the session is safe in PostgreSQL and the reconciler will finish the job. */
export class RoutingUnavailableError extends BrokerDomainError {
  readonly reason = "ROUTING_UNAVAILABLE";
}

/** A permission request or rep invitation that was answered (or withdrawn) already. */
export class RequestAlreadyAnsweredError extends BrokerDomainError {
  readonly reason = "ALREADY_ANSWERED";
}

/** The customer's or a rep's survey of this session was submitted already (one each). */
export class SurveyAlreadySubmittedError extends BrokerDomainError {
  readonly reason = "SURVEY_ALREADY_SUBMITTED";
}

/** A rep asks for a permission the customer has granted already. */
export class PermissionAlreadyGrantedError extends BrokerDomainError {
  readonly reason = "PERMISSION_ALREADY_GRANTED";
}

/** The customer revokes a permission that is not granted (any more). */
export class PermissionNotGrantedError extends BrokerDomainError {
  readonly reason = "PERMISSION_NOT_GRANTED";
}

/** A per-session or per-process bound is reached (open requests, invitations, live feeds). */
export class SessionLimitReachedError extends BrokerDomainError {
  readonly reason = "LIMIT_REACHED";
}

/** The customer asks to send a file while his last request is still unanswered (one at a time). */
export class FileSendPendingError extends BrokerDomainError {
  readonly reason = "FILE_SEND_PENDING";
}

/** A start's idempotency key that the site used before for a start with other fields. */
export class StartKeyReusedError extends BrokerDomainError {
  readonly reason = "IDEMPOTENCY_KEY_REUSED";
  constructor() {
    super("idempotency_key: was used for a start with other fields; send a new key for a new start");
  }
}

/** A start asked only for the session its idempotency key started, and the site has not used the key. */
export class StartKeyUnusedError extends BrokerDomainError {
  readonly reason = "START_KEY_UNUSED";
  constructor() {
    super("idempotency_key: no start of this site used it (or it expired); nothing was created");
  }
}
