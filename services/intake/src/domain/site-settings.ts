/**
 * The settings of a site that other services follow (reporting): its time zone and its
 * service-level and short-abandon thresholds. They are part of the portal config an admin saves
 * (`reporting`), and every save publishes them (SiteSettingsChanged on `handoff.sites.v1`).
 *
 * A site has one time zone: its schedule's when it has one. `reporting.timeZone` names it for a site
 * without a schedule (always open); with a schedule it may be left out or must be the same zone, so
 * business hours and report intervals never disagree. Neither: UTC.
 */
import { z } from "zod";
import { timeZoneField } from "./schedule-schema";

/** METRICS.md's defaults: X of the service level, and the short-abandon threshold. */
export const DEFAULT_SERVICE_LEVEL_THRESHOLD_S = 20;
export const DEFAULT_SHORT_ABANDON_THRESHOLD_S = 5;
export const MAX_THRESHOLD_S = 3_600;
export const DEFAULT_TIME_ZONE = "UTC";

const thresholdSeconds = (min: number, fallback: number, description: string) =>
  z
    .number()
    .int("must be a whole number of seconds")
    .min(min, `from ${min} to ${MAX_THRESHOLD_S} seconds`)
    .max(MAX_THRESHOLD_S, `from ${min} to ${MAX_THRESHOLD_S} seconds`)
    .default(fallback)
    .meta({ description });

export const reportingSettingsSchema = z
  .strictObject({
    timeZone: timeZoneField.optional().meta({
      description:
        "The site's IANA time zone for reports (days and 15-minute intervals from its local midnight). " +
        "With a schedule: left out, or the schedule's zone. Neither: UTC.",
    }),
    serviceLevelThresholdSeconds: thresholdSeconds(
      1,
      DEFAULT_SERVICE_LEVEL_THRESHOLD_S,
      "X of the service level: an entry answered within X seconds (at or below) counts.",
    ),
    shortAbandonThresholdSeconds: thresholdSeconds(
      0,
      DEFAULT_SHORT_ABANDON_THRESHOLD_S,
      "An abandon after strictly less waiting is short (left out of service level and abandon rate); 0: none is.",
    ),
  })
  .meta({ id: "ReportingSettings", description: "What reporting follows; left out, the defaults (20 s, 5 s)." });

export type ReportingSettings = z.infer<typeof reportingSettingsSchema>;

/** The parts of a portal config the site's settings come from. */
interface SettingsSource {
  schedule?: { timeZone: string } | undefined;
  reporting?: Partial<ReportingSettings> | undefined;
}

/** What a save publishes. */
export interface SiteSettings {
  timeZone: string;
  serviceLevelThresholdS: number;
  shortAbandonThresholdS: number;
}

/** The problem with the config's time zones, if any (field relative to the config). */
export function timeZoneProblem(config: SettingsSource): string | undefined {
  const scheduled = config.schedule?.timeZone;
  const reported = config.reporting?.timeZone;
  return scheduled && reported && scheduled !== reported
    ? `must be the schedule's time zone (${scheduled}) or be left out: a site has one time zone`
    : undefined;
}

/**
 * The settings a config stands for, defaults applied. Versions stored before `reporting` existed
 * have none and stand for the defaults.
 */
export function siteSettingsOf(config: SettingsSource): SiteSettings {
  return {
    timeZone: config.schedule?.timeZone ?? config.reporting?.timeZone ?? DEFAULT_TIME_ZONE,
    serviceLevelThresholdS: config.reporting?.serviceLevelThresholdSeconds ?? DEFAULT_SERVICE_LEVEL_THRESHOLD_S,
    shortAbandonThresholdS: config.reporting?.shortAbandonThresholdSeconds ?? DEFAULT_SHORT_ABANDON_THRESHOLD_S,
  };
}
