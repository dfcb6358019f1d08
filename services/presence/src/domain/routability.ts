import type { RepSnapshot } from "./rep-state";

export type NotRoutableReason = "state" | "no_live_connection" | "no_free_capacity" | "not_logged_in_to_team";

/** What the acd holds for the rep (his load, and whether it marked him not-responding). */
export interface RoutingView {
  load: number;
  notResponding: boolean;
}

/**
 * Every reason why the rep gets no sessions now, so nobody has to guess.
 * Routable = wants work (available, not marked not-responding) ∧ a live connection ∧ free capacity
 * (∧ logged in to the team, when one is asked about).
 */
export function whyNotRoutable(rep: RepSnapshot, routing: RoutingView, teamId?: string): NotRoutableReason[] {
  const reasons: NotRoutableReason[] = [];
  if (rep.state !== "available" || routing.notResponding) reasons.push("state");
  if (rep.liveConnections === 0) reasons.push("no_live_connection");
  if (routing.load >= rep.capacity) reasons.push("no_free_capacity");
  if (teamId !== undefined && !rep.teamIds.includes(teamId)) reasons.push("not_logged_in_to_team");
  return reasons;
}
