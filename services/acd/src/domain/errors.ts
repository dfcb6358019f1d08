/**
 * Every failure the acd's domain and store report. Transport adapters map them by `kind` (or class) to
 * gRPC codes: *NotFound → NOT_FOUND, *Conflict/*Fenced/*Expired → FAILED_PRECONDITION, AlreadyQueued →
 * ALREADY_EXISTS, *Invalid/*Unknown → INVALID_ARGUMENT.
 */
export abstract class AcdDomainError extends Error {
  abstract readonly kind: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class SessionNotFoundError extends AcdDomainError {
  readonly kind = "session_not_found";

  constructor(
    readonly sessionId: string,
    options?: { cause?: unknown },
  ) {
    super(`session ${sessionId} is not known to routing`, options);
  }
}

/**
 * The session id was routed before and that session is over (`state`: ended or abandoned); a session
 * still waiting, offered or active is not an error for an enqueue (it answers where it stands).
 */
export class SessionAlreadyQueuedError extends AcdDomainError {
  readonly kind = "session_already_queued";

  constructor(
    readonly sessionId: string,
    readonly state?: string,
    options?: { cause?: unknown },
  ) {
    super(`session ${sessionId} was already routed${state ? ` and is ${state}` : ""}`, options);
  }
}

/**
 * The session exists but its state does not allow the transition (e.g. accepting a waiting session);
 * `allowedStates` are the states it does allow.
 */
export class SessionStateConflictError extends AcdDomainError {
  readonly kind = "session_state_conflict";

  constructor(
    readonly sessionId: string,
    readonly actualState: string,
    readonly transition: string,
    readonly allowedStates: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(`session ${sessionId} is ${actualState}, so it cannot ${transition}`, options);
  }
}

/**
 * The caller presented an offer's fencing token that no longer holds: the session's epoch moved on (the
 * offer expired, was rejected or re-offered) or the offer belongs to another rep. Refusing it is what keeps
 * a late or duplicated message from making a second assignment.
 */
export class OfferFencedError extends AcdDomainError {
  readonly kind = "offer_fenced";

  constructor(
    readonly sessionId: string,
    readonly presentedEpoch: number,
    readonly repId: string,
    readonly reason: "stale_epoch" | "wrong_rep",
    /** The session's epoch now, when the token was stale. */
    readonly currentEpoch?: number,
    options?: { cause?: unknown },
  ) {
    super(
      reason === "stale_epoch"
        ? `fencing token ${presentedEpoch} of session ${sessionId} is stale`
        : `fencing token ${presentedEpoch} of session ${sessionId} is stale: the offer is not for rep ${repId}`,
      options,
    );
  }
}

/**
 * The offer's deadline passed (by Redis's clock) before the accept arrived. The offer is as good as
 * expired even if the expiry timer has not fired yet: it will, and the session goes to another rep.
 */
export class OfferExpiredError extends AcdDomainError {
  readonly kind = "offer_expired";

  constructor(
    readonly sessionId: string,
    readonly epoch: number,
    readonly expiredAtMs: number,
    options?: { cause?: unknown },
  ) {
    super(`the offer of session ${sessionId} at epoch ${epoch} expired at ${expiredAtMs}`, options);
  }
}

/** A queue at its bound refused a new session: the team's queue, or everything the site holds. */
export class QueueFullError extends AcdDomainError {
  readonly kind = "queue_full";

  constructor(
    readonly scope: "team" | "site",
    readonly id: string,
    readonly limit: number,
    options?: { cause?: unknown },
  ) {
    super(
      scope === "team"
        ? `team ${id}'s queue already holds ${limit} waiting sessions, the most allowed (MAX_WAITING_PER_TEAM)`
        : `site ${id} already holds ${limit} sessions in routing, the most allowed (MAX_SESSIONS_PER_SITE)`,
      options,
    );
  }
}

export class TeamUnknownError extends AcdDomainError {
  readonly kind = "team_unknown";

  constructor(
    readonly teamId: string,
    options?: { cause?: unknown },
  ) {
    super(`team ${teamId} is not in the site's routing config`, options);
  }
}

export class ProblemTypeUnknownError extends AcdDomainError {
  readonly kind = "problem_type_unknown";

  constructor(
    readonly problemTypeId: string,
    options?: { cause?: unknown },
  ) {
    super(`problem type ${problemTypeId} is not in the site's routing config`, options);
  }
}

export class RoutingConfigMissingError extends AcdDomainError {
  readonly kind = "routing_config_missing";

  constructor(
    readonly siteId: string,
    options?: { cause?: unknown },
  ) {
    super(`site ${siteId} has no routing config yet`, options);
  }
}

/** A routing config is refused whole; `field` is the proto path, e.g. `config.teams[2].offer_timeout_ms`. */
export class RoutingConfigInvalidError extends AcdDomainError {
  readonly kind = "routing_config_invalid";

  constructor(
    readonly field: string,
    readonly problem: string,
    options?: { cause?: unknown },
  ) {
    super(`${field}: ${problem}`, options);
  }
}

/** A rep the acd has never been told about by presence. */
export class RepUnknownError extends AcdDomainError {
  readonly kind = "rep_unknown";

  constructor(
    readonly repId: string,
    options?: { cause?: unknown },
  ) {
    super(`rep ${repId} is not known to routing`, options);
  }
}

/** A rep tried to transfer a session to his own personal queue. */
export class TransferToSelfError extends AcdDomainError {
  readonly kind = "transfer_to_self";

  constructor(
    readonly sessionId: string,
    readonly repId: string,
    options?: { cause?: unknown },
  ) {
    super(`session ${sessionId} is already with rep ${repId}; transfer it to another rep or a team`, options);
  }
}

/** A capacity push whose version is more than the allowed step above the stored one. */
export class CapacityVersionStepError extends AcdDomainError {
  readonly kind = "version_step";

  constructor(
    readonly repId: string,
    readonly version: number,
    readonly storedVersion: number,
    readonly maxStep: number,
  ) {
    super(
      `version ${version} of rep ${repId} is more than ${maxStep} above the stored version ${storedVersion}; ` +
        `push a version from ${storedVersion + 1} to ${storedVersion + maxStep}`,
    );
  }
}

/**
 * A subscriber id already held by a live offer stream of another caller: of another service
 * (`other_identity`), or of the same service on another connection (`other_connection`, e.g. a second
 * broker replica). The live stream keeps its id and goes on delivering.
 */
export class SubscriberIdTakenError extends AcdDomainError {
  readonly kind = "subscriber_id_taken";

  constructor(
    readonly subscriberId: string,
    readonly by: "other_identity" | "other_connection",
  ) {
    super(
      by === "other_identity"
        ? `subscriber id ${subscriberId} belongs to another service's offer stream`
        : `subscriber id ${subscriberId} is held by a live offer stream on another connection; ` +
            "it is free once that stream ends",
    );
  }
}

/** A caller already holds the most open offer streams one service may hold on a replica. */
export class TooManyStreamsError extends AcdDomainError {
  readonly kind = "too_many_streams";

  constructor(
    readonly caller: string,
    readonly limit: number,
  ) {
    super(
      `${caller} already holds ${limit} open offer streams on this acd replica, the most allowed (MAX_STREAMS_PER_CALLER)`,
    );
  }
}

/** A site cannot be retired while it holds sessions in routing. */
export class SiteInUseError extends AcdDomainError {
  readonly kind = "site_in_use";

  constructor(
    readonly siteId: string,
    readonly sessions: number,
  ) {
    super(`site ${siteId} still holds ${sessions} sessions in routing; end or abandon them first`);
  }
}

/** A retired site's outbox was not relayed in time; its keys stay until the retirement is asked again. */
export class SiteRetirementPendingError extends AcdDomainError {
  readonly kind = "site_retirement_pending";

  constructor(readonly siteId: string) {
    super(`site ${siteId}'s config is gone but its outbox is not relayed yet; retire it again shortly`);
  }
}
