import { HttpProblem, invalidFields, unavailableProblem } from "@handoff/runtime";
import { AcdUnavailableError, RoutingConfigRefusedError } from "../routing/acd-routing";
import { peerFailure } from "../routing/peer-failure";
import { PresenceUnavailableError, SiteInUseError, SiteRetirementPendingError } from "../routing/retirement-errors";
import { PortalConfigNotFoundError, PortalConfigRefusedError, PortalConfigVersionConflictError } from "./admin-errors";
import { jsonFieldOfAcd } from "./routing-config-json";

/**
 * The problem body of a failed admin call: a refused config is a 400 naming each field, a stale
 * version 412 when it came as `If-Match` (RFC 9110) and 409 when it came in the body, a site still
 * in use 409, a retirement not finished 503, and an acd or presence that does not answer a 503 naming
 * it (or its own dependency, as the peer's UNAVAILABLE says) with when to ask again. Anything else is
 * left to the runtime's handler (500, text hidden).
 */
export function adminProblem(error: unknown, versionFromIfMatch = false): unknown {
  if (error instanceof PortalConfigVersionConflictError)
    return new HttpProblem(
      versionFromIfMatch ? 412 : 409,
      versionFromIfMatch ? "Precondition failed" : "Conflict",
      error.message,
      versionFromIfMatch ? "If-Match" : "expectedVersion",
      { reason: "VERSION_CONFLICT" },
    );
  if (error instanceof PortalConfigRefusedError) return invalidFields(error.problems);
  if (error instanceof PortalConfigNotFoundError)
    return new HttpProblem(404, "Not found", error.message, undefined, { reason: "PORTAL_CONFIG_NOT_FOUND" });
  if (error instanceof RoutingConfigRefusedError) {
    const field = jsonFieldOfAcd(error.field);
    return new HttpProblem(400, "Invalid request", `${field}: ${error.problem}`, field, {
      errors: [{ field, problem: error.problem }],
      reason: "ROUTING_CONFIG_INVALID",
    });
  }
  if (error instanceof SiteInUseError)
    return new HttpProblem(409, "Conflict", error.message, undefined, {
      reason: "SITE_IN_USE",
      sessions: error.sessions,
    });
  if (error instanceof SiteRetirementPendingError)
    return new HttpProblem(503, "Service unavailable", error.message, undefined, {
      reason: "SITE_RETIREMENT_PENDING",
    });
  if (error instanceof PresenceUnavailableError)
    return unavailableProblem("PRESENCE_UNAVAILABLE", peerFailure(error, "presence"));
  if (error instanceof AcdUnavailableError) return unavailableProblem("ACD_UNAVAILABLE", peerFailure(error, "acd"));
  return error;
}
