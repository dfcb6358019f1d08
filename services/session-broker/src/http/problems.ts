import { status } from "@grpc/grpc-js";
import { HttpProblem, isGrpcStatusError } from "@handoff/runtime";
import { InvitationNotSentError } from "../domain/credential-errors";
import {
  BrokerDomainError,
  CredentialRejectedError,
  InvalidFieldError,
  NotAllowedError,
  RedemptionLockedError,
  RoutingUnavailableError,
  SessionAlreadyExistsError,
  SessionLimitReachedError,
  SessionNotFoundError,
  UnknownReferenceError,
} from "../domain/errors";
import { PresenceUnavailableError } from "../routing/presence-port";

/** The commands name fields as the proto does (`invitee.rep_id`); the agent API's JSON is camelCase. */
export const jsonField = (field: string): string => field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const STATUS_OF: [new (...args: never[]) => BrokerDomainError, number, string][] = [
  [SessionNotFoundError, 404, "Not found"],
  [UnknownReferenceError, 404, "Not found"],
  [NotAllowedError, 403, "Forbidden"],
  [CredentialRejectedError, 403, "Forbidden"],
  [RedemptionLockedError, 429, "Too many requests"],
  [SessionLimitReachedError, 429, "Too many requests"],
  [RoutingUnavailableError, 503, "Service unavailable"],
  [PresenceUnavailableError, 503, "Service unavailable"],
  [InvitationNotSentError, 503, "Service unavailable"],
  [SessionAlreadyExistsError, 409, "Conflict"],
];

/**
 * The problem body of a failed agent API call (a refused token never gets here: the runtime's
 * `authenticate` answers it): a domain rule its status with the rule's machine-readable `reason`
 * (anything not listed, e.g. a stale epoch or a wrong state, is 409), a field the domain refuses a 400
 * naming it. Anything else is left to the runtime's handler (500, text hidden).
 */
export function toHttpProblem(error: unknown): unknown {
  if (error instanceof InvalidFieldError) {
    const field = jsonField(error.field);
    const problem = error.message.slice(error.field.length + 2);
    return new HttpProblem(400, "Invalid request", `${field}: ${problem}`, field, {
      errors: [{ field, problem }],
      reason: error.reason,
    });
  }
  if (error instanceof BrokerDomainError) {
    const [, code, title] = STATUS_OF.find(([type]) => error instanceof type) ?? [undefined, 409, "Conflict"];
    const field = error instanceof UnknownReferenceError ? jsonField(error.field) : undefined;
    return new HttpProblem(code, title, error.message, field, { reason: error.reason });
  }
  // A bound checked inside a command with the transport's helper (e.g. requireText) names its field.
  if (isGrpcStatusError(error) && error.code === status.INVALID_ARGUMENT) {
    const raw = String(error.metadata.get("field")[0] ?? "body");
    const field = jsonField(raw);
    const problem = error.details.startsWith(`${raw}: `) ? error.details.slice(raw.length + 2) : error.details;
    return new HttpProblem(400, "Invalid request", `${field}: ${problem}`, field, { errors: [{ field, problem }] });
  }
  return error;
}
