import type { QueueNow, RepNow } from "../domain/realtime";
import type { WallboardDay } from "../domain/wallboard-day";

/** What one live stream shows: a site, in its time zone, with its service-level thresholds. */
export interface LiveView {
  siteId: string;
  timeZone: string;
  answerThresholdS: number;
  shortAbandonS: number;
}

/** Streams of the same view share one feed: one read per change for all of them. */
export const viewKey = (view: LiveView): string =>
  [view.siteId, view.timeZone, view.answerThresholdS, view.shortAbandonS].join("\n");

/** One frame of the live stream: the whole picture, so a client never needs an earlier frame. */
export interface LiveSnapshot {
  atMs: number;
  queues: QueueNow[];
  reps: RepNow[];
  day: WallboardDay;
}
