import { status } from "@grpc/grpc-js";
import { GrpcStatusError, InvalidArgumentError, withErrorInfo } from "@handoff/runtime";
import {
  BrokerDomainError,
  CredentialRejectedError,
  InvalidFieldError,
  NotAllowedError,
  QueueFullError,
  RedemptionLockedError,
  RoutingUnavailableError,
  SessionAlreadyExistsError,
  SessionLimitReachedError,
  SessionNotFoundError,
  StartKeyUnusedError,
  UnknownReferenceError,
} from "../domain/errors";

const CODE_OF: [new (...args: never[]) => BrokerDomainError, status][] = [
  [SessionNotFoundError, status.NOT_FOUND],
  [StartKeyUnusedError, status.NOT_FOUND],
  [SessionAlreadyExistsError, status.ALREADY_EXISTS],
  [NotAllowedError, status.PERMISSION_DENIED],
  [CredentialRejectedError, status.PERMISSION_DENIED],
  [RedemptionLockedError, status.RESOURCE_EXHAUSTED],
  [SessionLimitReachedError, status.RESOURCE_EXHAUSTED],
  [QueueFullError, status.RESOURCE_EXHAUSTED],
  [RoutingUnavailableError, status.UNAVAILABLE],
];

/**
 * Maps a domain error to the status the caller sees, with its machine-readable reason in the
 * status details (google.rpc.ErrorInfo, domain handoff.session-broker); a domain failure not listed is a FAILED_PRECONDITION (stale epoch, wrong state...).
 */
export function toGrpcError(error: unknown): unknown {
  if (!(error instanceof BrokerDomainError)) return error;
  let mapped: GrpcStatusError;
  if (error instanceof InvalidFieldError || error instanceof UnknownReferenceError)
    mapped = new InvalidArgumentError(
      error.field,
      error instanceof InvalidFieldError ? error.message.slice(error.field.length + 2) : error.message,
    );
  else {
    const code = CODE_OF.find(([type]) => error instanceof type)?.[1] ?? status.FAILED_PRECONDITION;
    mapped = new GrpcStatusError(code, error.message, { cause: error });
  }
  return withErrorInfo(mapped, error.reason, "handoff.session-broker");
}

/** Runs a command and translates its domain errors. */
export async function translated<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toGrpcError(error);
  }
}
