import { actorToJSON, repStateToJSON } from "@handoff/proto/common";
import type { PresenceEvent } from "@handoff/proto/events";

export interface RepStateChangeRow {
  changedAtMs: number;
  previousState: string;
  previousReasonCode: string;
  previousStartedAtMs: number;
  state: string;
  reasonCode: string;
  actor: string;
}

export interface RepProfileChangeRow {
  changedAtMs: number;
  kind: "teams" | "capacity";
  teamIds: string[] | null;
  capacity: number | null;
  skills: string[] | null;
}

export type RepFact = { kind: "state"; row: RepStateChangeRow } | { kind: "profile"; row: RepProfileChangeRow };

/**
 * The fact a presence event adds, one row per event, so arrival order does not matter. A state change
 * carries the time spent in the previous state, which closes that interval without its neighbour.
 */
export function repFactOf(event: PresenceEvent): RepFact | null {
  const at = event.occurredAtMs;
  const { payload } = event;
  switch (payload?.$case) {
    case "repStateChanged": {
      const change = payload.repStateChanged;
      return {
        kind: "state",
        row: {
          changedAtMs: at,
          previousState: repStateToJSON(change.previousState),
          previousReasonCode: change.previousReasonCode,
          previousStartedAtMs: at - change.previousDurationMs,
          state: repStateToJSON(change.state),
          reasonCode: change.reasonCode,
          actor: actorToJSON(change.actor),
        },
      };
    }
    case "repLoggedIn":
      return { kind: "profile", row: teams(at, payload.repLoggedIn.teamIds) };
    case "repLoggedOut":
      return { kind: "profile", row: teams(at, []) };
    case "repCapacitySet":
      return {
        kind: "profile",
        row: {
          changedAtMs: at,
          kind: "capacity",
          teamIds: null,
          capacity: payload.repCapacitySet.capacity,
          skills: [...payload.repCapacitySet.skills].sort(),
        },
      };
    default:
      return null;
  }
}

const teams = (at: number, teamIds: readonly string[]): RepProfileChangeRow => ({
  changedAtMs: at,
  kind: "teams",
  teamIds: [...teamIds].sort(),
  capacity: null,
  skills: null,
});
