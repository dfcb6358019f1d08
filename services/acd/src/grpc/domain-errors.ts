import { status } from "@grpc/grpc-js";
import { failedPrecondition, GrpcStatusError, InvalidArgumentError, notFound, withErrorInfo } from "@handoff/runtime";
import {
  AcdDomainError,
  CapacityVersionStepError,
  OfferExpiredError,
  OfferFencedError,
  QueueFullError,
  ProblemTypeUnknownError,
  RepUnknownError,
  RoutingConfigInvalidError,
  RoutingConfigMissingError,
  SessionAlreadyQueuedError,
  SessionNotFoundError,
  SessionStateConflictError,
  SiteInUseError,
  SiteRetirementPendingError,
  SubscriberIdTakenError,
  TeamUnknownError,
  TooManyStreamsError,
  TransferToSelfError,
} from "../domain/errors";

/** The `domain` of every google.rpc.ErrorInfo the acd sends. */
export const ERROR_DOMAIN = "handoff.acd";

/**
 * The machine-readable reasons of the acd's refusals (google.rpc.ErrorInfo.reason, domain
 * `handoff.acd`), so callers need not parse messages. The README lists them with their status codes.
 */
export const REASONS = {
  STALE_EPOCH: "STALE_EPOCH",
  WRONG_REP: "WRONG_REP",
  OFFER_EXPIRED: "OFFER_EXPIRED",
  /** Accept or reject of a session not offered. */
  SESSION_NOT_OFFERED: "SESSION_NOT_OFFERED",
  /** End or transfer of a session not active. */
  SESSION_NOT_ACTIVE: "SESSION_NOT_ACTIVE",
  /** Abandon of a session neither waiting nor offered. */
  SESSION_NOT_WAITING: "SESSION_NOT_WAITING",
  /** Requeue of a session neither offered nor active. */
  SESSION_NOT_ASSIGNED: "SESSION_NOT_ASSIGNED",
  SESSION_NOT_FOUND: "SESSION_NOT_FOUND",
  /** Enqueue of a session id whose session already ended or was abandoned. */
  SESSION_ALREADY_QUEUED: "SESSION_ALREADY_QUEUED",
  UNKNOWN_SITE: "UNKNOWN_SITE",
  UNKNOWN_TEAM: "UNKNOWN_TEAM",
  UNKNOWN_REP: "UNKNOWN_REP",
  UNKNOWN_PROBLEM_TYPE: "UNKNOWN_PROBLEM_TYPE",
  ROUTING_CONFIG_INVALID: "ROUTING_CONFIG_INVALID",
  TRANSFER_TO_SELF: "TRANSFER_TO_SELF",
  /** Enqueue into a team queue or a site at its bound (`scope` team or site, `limit`). */
  QUEUE_FULL: "QUEUE_FULL",
  /** A capacity push too far above the stored version (`stored_version`, `max_step`). */
  VERSION_STEP: "VERSION_STEP",
  /** SubscribeOffers with a subscriber id another service's live stream holds (PERMISSION_DENIED). */
  SUBSCRIBER_ID_OWNED: "SUBSCRIBER_ID_OWNED",
  /** SubscribeOffers with a subscriber id a live stream on another connection holds (ALREADY_EXISTS). */
  SUBSCRIBER_ID_IN_USE: "SUBSCRIBER_ID_IN_USE",
  /** A caller at its bound of open offer streams per replica (`limit`). */
  TOO_MANY_STREAMS: "TOO_MANY_STREAMS",
  /** RetireSite of a site that still holds sessions in routing (`sessions`). */
  SITE_IN_USE: "SITE_IN_USE",
  /** RetireSite whose outbox was not relayed in time (UNAVAILABLE): ask again. */
  SITE_RETIREMENT_PENDING: "SITE_RETIREMENT_PENDING",
} as const;

export type Reason = keyof typeof REASONS;

/** Which request field a domain failure is about, where the request names it. */
export interface FieldNames {
  team?: string;
  rep?: string;
}

function stateConflictReason(error: SessionStateConflictError): Reason {
  const allowed = [...error.allowedStates].sort().join(",");
  if (allowed === "offered") return "SESSION_NOT_OFFERED";
  if (allowed === "active") return "SESSION_NOT_ACTIVE";
  if (allowed === "offered,waiting") return "SESSION_NOT_WAITING";
  return "SESSION_NOT_ASSIGNED";
}

/** The status, reason and facts the caller sees for a domain error. */
function describe(
  error: AcdDomainError,
  fields: FieldNames,
): { mapped: GrpcStatusError; reason?: Reason; metadata: Record<string, string> } {
  if (error instanceof RoutingConfigInvalidError)
    return {
      mapped: new InvalidArgumentError(error.field, error.problem),
      reason: "ROUTING_CONFIG_INVALID",
      metadata: { field: error.field },
    };
  if (error instanceof RoutingConfigMissingError)
    return {
      mapped: new InvalidArgumentError("site_id", error.message),
      reason: "UNKNOWN_SITE",
      metadata: { site_id: error.siteId },
    };
  if (error instanceof TeamUnknownError)
    return {
      mapped: new InvalidArgumentError(fields.team ?? "team_id", error.message),
      reason: "UNKNOWN_TEAM",
      metadata: { team_id: error.teamId },
    };
  if (error instanceof RepUnknownError)
    return {
      mapped: new InvalidArgumentError(fields.rep ?? "rep_id", error.message),
      reason: "UNKNOWN_REP",
      metadata: { rep_id: error.repId },
    };
  if (error instanceof TransferToSelfError)
    return {
      mapped: new InvalidArgumentError(fields.rep ?? "rep_id", error.message),
      reason: "TRANSFER_TO_SELF",
      metadata: { session_id: error.sessionId, rep_id: error.repId },
    };
  if (error instanceof ProblemTypeUnknownError)
    return {
      mapped: new InvalidArgumentError("problem_type_id", error.message),
      reason: "UNKNOWN_PROBLEM_TYPE",
      metadata: { problem_type_id: error.problemTypeId },
    };
  if (error instanceof SessionNotFoundError)
    return { mapped: notFound(error.message), reason: "SESSION_NOT_FOUND", metadata: { session_id: error.sessionId } };
  if (error instanceof OfferFencedError) {
    const metadata: Record<string, string> = {
      session_id: error.sessionId,
      epoch: String(error.presentedEpoch),
    };
    if (error.currentEpoch !== undefined) metadata.current_epoch = String(error.currentEpoch);
    if (error.repId) metadata.rep_id = error.repId;
    return {
      mapped: failedPrecondition(error.message),
      reason: error.reason === "stale_epoch" ? "STALE_EPOCH" : "WRONG_REP",
      metadata,
    };
  }
  if (error instanceof OfferExpiredError)
    return {
      mapped: failedPrecondition(error.message),
      reason: "OFFER_EXPIRED",
      metadata: { session_id: error.sessionId, epoch: String(error.epoch), expired_at_ms: String(error.expiredAtMs) },
    };
  if (error instanceof SessionStateConflictError)
    return {
      mapped: failedPrecondition(error.message),
      reason: stateConflictReason(error),
      metadata: { session_id: error.sessionId, state: error.actualState },
    };
  if (error instanceof SessionAlreadyQueuedError)
    return {
      mapped: new GrpcStatusError(status.ALREADY_EXISTS, error.message),
      reason: "SESSION_ALREADY_QUEUED",
      metadata: { session_id: error.sessionId, ...(error.state ? { state: error.state } : {}) },
    };
  if (error instanceof QueueFullError)
    return {
      mapped: new GrpcStatusError(status.RESOURCE_EXHAUSTED, error.message),
      reason: "QUEUE_FULL",
      metadata: {
        scope: error.scope,
        [error.scope === "team" ? "team_id" : "site_id"]: error.id,
        limit: String(error.limit),
      },
    };
  if (error instanceof SiteInUseError)
    return {
      mapped: failedPrecondition(error.message),
      reason: "SITE_IN_USE",
      metadata: { site_id: error.siteId, sessions: String(error.sessions) },
    };
  if (error instanceof SiteRetirementPendingError)
    return {
      mapped: new GrpcStatusError(status.UNAVAILABLE, error.message),
      reason: "SITE_RETIREMENT_PENDING",
      metadata: { site_id: error.siteId },
    };
  if (error instanceof SubscriberIdTakenError)
    return error.by === "other_identity"
      ? {
          mapped: new GrpcStatusError(status.PERMISSION_DENIED, error.message),
          reason: "SUBSCRIBER_ID_OWNED",
          metadata: { subscriber_id: error.subscriberId },
        }
      : {
          mapped: new GrpcStatusError(status.ALREADY_EXISTS, error.message),
          reason: "SUBSCRIBER_ID_IN_USE",
          metadata: { subscriber_id: error.subscriberId },
        };
  if (error instanceof TooManyStreamsError)
    return {
      mapped: new GrpcStatusError(status.RESOURCE_EXHAUSTED, error.message),
      reason: "TOO_MANY_STREAMS",
      metadata: { caller: error.caller, limit: String(error.limit) },
    };
  if (error instanceof CapacityVersionStepError)
    return {
      mapped: failedPrecondition(error.message),
      reason: "VERSION_STEP",
      metadata: { rep_id: error.repId, stored_version: String(error.storedVersion), max_step: String(error.maxStep) },
    };
  return { mapped: failedPrecondition(error.message), metadata: {} };
}

/**
 * Maps a domain error to the gRPC status the caller sees, with its reason as google.rpc.ErrorInfo in
 * the status details; anything else is passed through.
 */
export function toGrpcError(error: unknown, fields: FieldNames = {}): unknown {
  if (!(error instanceof AcdDomainError)) return error;
  const { mapped, reason, metadata } = describe(error, fields);
  if (reason) withErrorInfo(mapped, REASONS[reason], ERROR_DOMAIN, metadata);
  return Object.assign(mapped, { cause: error });
}

/** Runs a store call and translates its domain errors. */
export async function translated<T>(call: () => Promise<T>, fields?: FieldNames): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toGrpcError(error, fields);
  }
}
