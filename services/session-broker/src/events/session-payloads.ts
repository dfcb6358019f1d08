import type { QueuePosition } from "@handoff/proto/common";
import { targetToProto } from "../routing/acd-port";
import type { SessionEventPayload } from "../store/session-events";
import type { SessionRow } from "../store/session-row";

/**
 * "The session waits (again)": its queue, priority and original place as `row` now has them, and why
 * ("created", "transferred", "rep_left", "rep_disconnected", "commit_failed", "rebuilt", "overflowed:…").
 */
export function sessionWaiting(
  row: SessionRow,
  reason: string,
  fromRepId = "",
  position?: QueuePosition,
): SessionEventPayload {
  return {
    $case: "sessionWaiting",
    sessionWaiting: {
      target: targetToProto(row.target),
      priority: row.priority,
      enqueuedAtMs: row.enqueuedAtMs,
      reason,
      fromRepId,
      position,
    },
  };
}
