import { Actor, actorFromJSON, actorToJSON, RepState } from "@handoff/proto/common";
import { NotRoutableReason, type RepPresence } from "@handoff/proto/presence_service";
import type { NotRoutableReason as Reason } from "../domain/routability";
import type { RepSnapshot, RepStateName } from "../domain/rep-state";

const STATE_TO_PROTO: Record<RepStateName, RepState> = {
  available: RepState.REP_STATE_AVAILABLE,
  away: RepState.REP_STATE_AWAY,
  busy: RepState.REP_STATE_BUSY,
  offline: RepState.REP_STATE_OFFLINE,
};

const STATE_FROM_PROTO = new Map<RepState, RepStateName>(
  Object.entries(STATE_TO_PROTO).map(([name, value]) => [value, name as RepStateName]),
);

const REASON_TO_PROTO: Record<Reason, NotRoutableReason> = {
  state: NotRoutableReason.NOT_ROUTABLE_REASON_STATE,
  no_live_connection: NotRoutableReason.NOT_ROUTABLE_REASON_NO_LIVE_CONNECTION,
  no_free_capacity: NotRoutableReason.NOT_ROUTABLE_REASON_NO_FREE_CAPACITY,
  not_logged_in_to_team: NotRoutableReason.NOT_ROUTABLE_REASON_NOT_LOGGED_IN_TO_TEAM,
};

export const stateToProto = (state: RepStateName): RepState => STATE_TO_PROTO[state];
export const stateFromProto = (state: RepState): RepStateName | undefined => STATE_FROM_PROTO.get(state);
export const reasonToProto = (reason: Reason) => REASON_TO_PROTO[reason];

/** Actor names as stored and evented; an unset actor defaults to `fallback`. */
export function actorName(actor: Actor, fallback: Actor): string {
  return actorToJSON(actor === Actor.ACTOR_UNSPECIFIED ? fallback : actor);
}

export function repToProto(site: string, rep: RepSnapshot, load = 0): RepPresence {
  return {
    siteId: site,
    repId: rep.repId,
    state: STATE_TO_PROTO[rep.state],
    reasonCode: rep.reasonCode,
    teamIds: rep.teamIds,
    capacity: rep.capacity,
    skills: rep.skills,
    liveConnections: rep.liveConnections,
    activeSessions: 0,
    stateSinceMs: rep.stateSinceMs,
    version: rep.version,
    changedBy: actorFromJSON(rep.changedBy),
    load,
  };
}
