import type { RequesterValue } from "../domain/access";
import { NotAllowedError } from "../domain/errors";
import type { AgentPrincipal } from "@handoff/runtime";

/** Supervisors act on the reps of their site; admins act as supervisors. */
export const isSupervisor = (principal: AgentPrincipal): boolean =>
  principal.roles.has("supervisor") || principal.roles.has("admin");

/**
 * The requester the session commands see. The site is the token's, so a token never reaches another
 * site's sessions; within the site, a supervisor acts on any session (the commands' access rules).
 */
export function requesterOf(principal: AgentPrincipal): RequesterValue {
  return { kind: isSupervisor(principal) ? "supervisor" : "rep", id: principal.repId, customerToken: "" };
}

/**
 * Checks that `principal` may act on rep `repId` of its site (log him in or out, set his state, read his
 * sessions and queues): a rep only as himself, a supervisor or admin on any rep of his site.
 * @throws NotAllowedError
 */
export function checkActsOnRep(principal: AgentPrincipal, repId: string): void {
  if (repId === principal.repId || isSupervisor(principal)) return;
  throw new NotAllowedError(`rep ${principal.repId} may act only as himself, not as rep ${repId}`);
}
