/** A rep's chosen state; only `available` makes his capacity routable. */
export type RepStateName = "available" | "away" | "busy" | "offline";

/** A rep's capacity until he sets one (single-session mode). */
export const DEFAULT_REP_CAPACITY = 1;

export const STATE_CODES: Record<RepStateName, string> = { available: "a", away: "w", busy: "b", offline: "o" };

const NAMES: Record<string, RepStateName> = { a: "available", w: "away", b: "busy", o: "offline" };

export function stateName(code: string): RepStateName {
  const name = NAMES[code];
  if (!name) throw new Error(`unknown rep state code ${code}`);
  return name;
}

/** What presence knows of a rep: his choice (state) apart from what the system sees (connections). */
export interface RepSnapshot {
  repId: string;
  state: RepStateName;
  reasonCode: string;
  teamIds: string[];
  capacity: number;
  skills: string[];
  /** Grows with every change the acd must learn. */
  version: number;
  liveConnections: number;
  stateSinceMs: number;
  /** Actor name (ACTOR_REP, ACTOR_SUPERVISOR, ACTOR_SYSTEM). */
  changedBy: string;
}

/** Routable capacity = capacity while he wants work (available), 0 otherwise. */
export function routableCapacity(rep: Pick<RepSnapshot, "state" | "capacity">): number {
  return rep.state === "available" ? rep.capacity : 0;
}
