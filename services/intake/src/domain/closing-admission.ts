/**
 * Closing-time admission: a customer whose P90 wait would end when the portal has closed is told so
 * before he queues, and may still queue. Nobody is refused here; the closed portal itself is rule 5's
 * business (business-hours.ts).
 *
 * The wait "ends after closing" when now + P90 reaches the closing instant: closing is exclusive, so a
 * wait ending exactly then ends with the portal closed. A portal closed at `atMs` (a session key started
 * out of hours) closes at `atMs`, so any customer is told. Where the estimate is unknown the caller
 * decides what to pass; 0 warns only when the portal is closed.
 */
import { closesAt } from "./business-hours";
import type { Schedule } from "./schedule-schema";

export interface ClosingAdmission {
  waitEndsAfterClosing: boolean;
  /** When the open stretch around `atMs` ends; null when it lasts the whole search horizon. */
  closesAtMs: number | null;
}

export const closingAdmission = (schedule: Schedule | null, atMs: number, p90WaitMs: number): ClosingAdmission => {
  const closesAtMs = closesAt(schedule, atMs);
  return { waitEndsAfterClosing: closesAtMs !== null && atMs + p90WaitMs >= closesAtMs, closesAtMs };
};
