import { status } from "@grpc/grpc-js";
import { failedPrecondition, GrpcStatusError, InvalidArgumentError, withErrorInfo } from "@handoff/runtime";
import {
  CapacityTooHighError,
  PresenceDomainError,
  RepConnectionLimitError,
  RepNotLoggedInError,
  RepUnknownError,
  TeamMembershipError,
} from "../domain/errors";

/** Runs a call and maps presence's domain errors to the gRPC status the caller sees. */
export async function translated<T>(call: () => Promise<T>, teamField = "team_ids"): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof PresenceDomainError)) throw error;
    if (error instanceof RepNotLoggedInError) throw failedPrecondition(error.message);
    if (error instanceof RepUnknownError) throw new InvalidArgumentError("rep_id", error.message);
    if (error instanceof CapacityTooHighError) throw new InvalidArgumentError("capacity", error.message);
    if (error instanceof TeamMembershipError) throw new InvalidArgumentError(teamField, error.message);
    if (error instanceof RepConnectionLimitError) {
      throw withErrorInfo(
        new GrpcStatusError(status.RESOURCE_EXHAUSTED, error.message),
        "TOO_MANY_CONNECTIONS",
        "handoff.presence",
        { rep_id: error.repId, limit: String(error.limit) },
      );
    }
    throw failedPrecondition(error.message);
  }
}
