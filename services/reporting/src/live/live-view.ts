import type { QueueNow, RepNow } from "../domain/realtime";
import type { SettingsOverrides } from "../domain/site-settings";
import type { WallboardDay } from "../domain/wallboard-day";

/**
 * What one live stream shows: a site, in its own time zone with its own thresholds unless the stream
 * overrides them. Without overrides the view follows the site's settings as they change.
 */
export interface LiveView extends SettingsOverrides {
  siteId: string;
}

/** Streams of the same view share one feed: one read per change for all of them. */
export const viewKey = (view: LiveView): string =>
  [view.siteId, view.timeZone ?? "", view.answerThresholdS ?? "", view.shortAbandonS ?? ""].join("\n");

/** The settings a frame was computed with. */
export interface LiveSettings {
  timeZone: string;
  answerThresholdS: number;
  shortAbandonS: number;
}

/** The day's figures with the settings they were computed with. */
export interface LiveDay {
  settings: LiveSettings;
  figures: WallboardDay;
}

/** One frame of the live stream: the whole picture, so a client never needs an earlier frame. */
export interface LiveSnapshot {
  atMs: number;
  settings: LiveSettings;
  queues: QueueNow[];
  reps: RepNow[];
  day: WallboardDay;
}
