import { status } from "@grpc/grpc-js";
import { failedPrecondition, GrpcStatusError, InvalidArgumentError, notFound } from "@handoff/runtime";
import {
  AcdDomainError,
  OfferFencedError,
  ProblemTypeUnknownError,
  RepUnknownError,
  RoutingConfigInvalidError,
  RoutingConfigMissingError,
  SessionAlreadyQueuedError,
  SessionNotFoundError,
  SessionStateConflictError,
  TeamUnknownError,
  TransferToSelfError,
} from "../domain/errors";

/** Which request field a domain failure is about, where the request names it. */
export interface FieldNames {
  team?: string;
  rep?: string;
}

/** Maps a domain error to the gRPC status the caller sees; anything else is passed through. */
export function toGrpcError(error: unknown, fields: FieldNames = {}): unknown {
  if (!(error instanceof AcdDomainError)) return error;
  let mapped: GrpcStatusError;
  if (error instanceof RoutingConfigInvalidError) mapped = new InvalidArgumentError(error.field, error.problem);
  else if (error instanceof RoutingConfigMissingError) mapped = new InvalidArgumentError("site_id", error.message);
  else if (error instanceof TeamUnknownError)
    mapped = new InvalidArgumentError(fields.team ?? "team_id", error.message);
  else if (error instanceof RepUnknownError) mapped = new InvalidArgumentError(fields.rep ?? "rep_id", error.message);
  else if (error instanceof TransferToSelfError)
    mapped = new InvalidArgumentError(fields.rep ?? "rep_id", error.message);
  else if (error instanceof ProblemTypeUnknownError)
    mapped = new InvalidArgumentError("problem_type_id", error.message);
  else if (error instanceof SessionNotFoundError) mapped = notFound(error.message);
  else if (error instanceof OfferFencedError || error instanceof SessionStateConflictError)
    mapped = failedPrecondition(error.message);
  else if (error instanceof SessionAlreadyQueuedError)
    mapped = new GrpcStatusError(status.ALREADY_EXISTS, error.message);
  else mapped = failedPrecondition(error.message);
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
