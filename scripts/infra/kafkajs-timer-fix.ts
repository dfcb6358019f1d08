import { createRequire } from "node:module";

interface RequestQueueInternals {
  throttledUntil: number;
  pending: unknown[];
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests: (this: RequestQueueInternals) => void;
}

let applied = false;

/**
 * The harness's copy of packages/runtime/src/kafka/request-queue-timer-fix.ts (read that for the
 * why): kafkajs 2.2.4 arms a timer of about minus the epoch on every connection, so Node 24 prints
 * `TimeoutNegativeWarning` and the queue polls itself every millisecond (tulios/kafkajs#1751). The
 * scripts cannot import the runtime's build (they run before it exists), hence the copy; the
 * clean-start check fails if either one stops working.
 */
export function fixKafkajsRequestQueueTimer(): void {
  if (applied) return;
  applied = true;
  const require = createRequire(import.meta.url);
  const RequestQueue = require("kafkajs/src/network/requestQueue") as { prototype: RequestQueueInternals };
  if (!RequestQueue.prototype.scheduleCheckPendingRequests.toString().includes("this.throttledUntil - Date.now()")) {
    return;
  }
  RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(
    this: RequestQueueInternals,
  ): void {
    if (this.throttleCheckTimeoutId) return;
    const throttledForMs = this.throttledUntil - Date.now();
    let delayMs: number;
    if (this.pending.length > 0) delayMs = throttledForMs > 0 ? throttledForMs : 10;
    else if (throttledForMs > 0) delayMs = throttledForMs;
    else return;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delayMs);
  };
}
