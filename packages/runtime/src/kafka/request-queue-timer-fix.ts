/** The part of kafkajs's internal RequestQueue (src/network/requestQueue) the fix replaces. */
interface RequestQueueInternals {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests: (this: RequestQueueInternals) => void;
}

/** kafkajs's own CHECK_PENDING_REQUESTS_INTERVAL. */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

/** What the kafkajs 2.2.4 method computes; the fix applies only where this is still found. */
const FLAWED_LINE = "this.throttledUntil - Date.now()";

let outcome: "fixed" | "not-needed" | undefined;

/**
 * Replaces kafkajs's `RequestQueue#scheduleCheckPendingRequests`, which on every connection arms a
 * timer for `throttledUntil - Date.now()` ms. `throttledUntil` starts at -1, so when nothing is
 * pending or throttled the delay is about minus the epoch: Node 24 prints `TimeoutNegativeWarning`
 * and runs it after 1 ms, and since each check schedules the next, every connection polls an empty
 * queue once a millisecond for as long as it lives (tulios/kafkajs#1751, #1704; unfixed in 2.2.4,
 * the last release). The replacement arms the timer only when a request waits (after the throttle,
 * or kafkajs's 10 ms) or a throttle is still running; otherwise `push()` and every fulfilled request
 * check the queue again, as they already do.
 *
 * Idempotent. Returns whether the fix is in place, or `not-needed` when the installed kafkajs no
 * longer has the flawed line (a unit test then asks for this module to be deleted).
 */
export function fixRequestQueueTimer(): "fixed" | "not-needed" {
  if (outcome !== undefined) return outcome;
  // kafkajs has no `exports` map, so its internals are reachable; there are no types for them.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const RequestQueue = require("kafkajs/src/network/requestQueue") as { prototype: RequestQueueInternals };
  const original = RequestQueue.prototype.scheduleCheckPendingRequests;
  if (!original.toString().includes(FLAWED_LINE)) {
    outcome = "not-needed";
    return outcome;
  }
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
    this: RequestQueueInternals,
  ): void {
    if (this.throttleCheckTimeoutId) return;
    const throttledForMs = this.throttledUntil - Date.now();
    let delayMs: number;
    if (this.pending.length > 0) delayMs = throttledForMs > 0 ? throttledForMs : CHECK_PENDING_REQUESTS_INTERVAL_MS;
    else if (throttledForMs > 0) delayMs = throttledForMs;
    else return;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delayMs);
  };
  outcome = "fixed";
  return outcome;
}
