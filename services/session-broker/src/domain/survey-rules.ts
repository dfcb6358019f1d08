import { SessionStateConflictError } from "./errors";
import type { EndReasonName, SessionStateName } from "./session-lifecycle";

/** The customer's satisfaction score. */
export const SATISFACTION = { min: 1, max: 5 } as const;

/**
 * The customer's exit survey comes once the session has ended (not while it is live, not after he
 * abandoned the queue), and never when he left from a notice: those customers are not asked.
 * @throws SessionStateConflictError
 */
export function checkCustomerSurveyAllowed(
  sessionId: string,
  state: SessionStateName,
  endReason: EndReasonName | null,
): void {
  if (state !== "ended") throw new SessionStateConflictError(sessionId, state, "the exit survey comes after the end");
  if (endReason === "notice_exit")
    throw new SessionStateConflictError(sessionId, state, "it ended from a notice: no exit survey");
}
