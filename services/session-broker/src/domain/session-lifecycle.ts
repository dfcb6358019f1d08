import { SessionStateConflictError } from "./errors";

/**
 * The session's life in the broker: created (persisted, not yet in the acd) → waiting → offered →
 * active → ended, with transfers and re-queues taking an active session back to waiting, and
 * abandoned for a customer who leaves before a rep accepted.
 */
export const SESSION_STATES = ["created", "waiting", "offered", "active", "ended", "abandoned"] as const;
export type SessionStateName = (typeof SESSION_STATES)[number];

/** States in which a session still needs routing or a rep. */
export const LIVE_STATES: readonly SessionStateName[] = ["created", "waiting", "offered", "active"];

const NEXT: Record<SessionStateName, readonly SessionStateName[]> = {
  // An offer may be seen before the broker recorded the enqueue; a pull may assign a waiting session.
  created: ["waiting", "offered", "active", "ended", "abandoned"],
  waiting: ["waiting", "offered", "active", "abandoned", "ended"],
  offered: ["waiting", "offered", "active", "abandoned", "ended"],
  active: ["waiting", "ended"],
  ended: [],
  abandoned: [],
};

export const isLive = (state: SessionStateName): boolean => LIVE_STATES.includes(state);

export function isSessionState(value: string): value is SessionStateName {
  return (SESSION_STATES as readonly string[]).includes(value);
}

/** Throws SessionStateConflictError unless `from → to` is a transition of the lifecycle. */
export function assertTransition(sessionId: string, from: SessionStateName, to: SessionStateName): void {
  if (!NEXT[from].includes(to)) throw new SessionStateConflictError(sessionId, from, `cannot become ${to}`);
}

/** Why a session ended; exactly one is recorded. */
export const END_REASONS = [
  "resolved",
  "ended_by_rep",
  "customer_left",
  "abandoned",
  "notice_exit",
  "no_rep_available",
  "portal_closed",
  "rep_disconnected",
  "key_expired",
] as const;
export type EndReasonName = (typeof END_REASONS)[number];

export type CloserKind = "customer" | "rep" | "supervisor" | "system";

/**
 * The terminal state and reason when `closer` ends a session in `state`. A customer who leaves before
 * any rep accepted has abandoned the queue (the acd's reason is kept beside it); after that he left a
 * session. A rep's or supervisor's end defaults to "ended by rep".
 */
export function closingOutcome(
  state: SessionStateName,
  closer: CloserKind,
  requested: EndReasonName | undefined,
): { state: "ended" | "abandoned"; reason: EndReasonName } {
  const answered = state === "active";
  if (closer === "customer") {
    if (requested === "notice_exit") return { state: answered ? "ended" : "abandoned", reason: "notice_exit" };
    return answered ? { state: "ended", reason: "customer_left" } : { state: "abandoned", reason: "abandoned" };
  }
  const reason = requested ?? (answered ? "ended_by_rep" : "abandoned");
  return { state: answered ? "ended" : reason === "abandoned" ? "abandoned" : "ended", reason };
}
