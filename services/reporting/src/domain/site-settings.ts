import type { SiteEvent } from "@handoff/proto/events";
import type { QueueFigureSettings } from "./queue-figures";

/**
 * A site's own settings as its admin saved them in intake (SiteSettingsChanged on handoff.sites.v1):
 * the time zone its days and intervals run in, and the thresholds of METRICS.md. Every figure, CSV
 * and the live stream default to them; a site that never published any has the defaults.
 */
export interface SiteSettings {
  timeZone: string;
  answerThresholdMs: number;
  shortAbandonMs: number;
  /** The portal config version they came with; null for the defaults. */
  version: number | null;
}

/** METRICS.md's defaults (X = 20 s, short abandon below 5 s) in UTC. */
export const DEFAULT_SITE_SETTINGS: SiteSettings = {
  timeZone: "UTC",
  answerThresholdMs: 20_000,
  shortAbandonMs: 5_000,
  version: null,
};

/** The largest threshold an event may carry (intake allows at most an hour). */
export const MAX_THRESHOLD_MS = 3_600_000;

export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Why a site event cannot be applied (it is dead-lettered), or undefined. */
export function siteSettingsProblem(event: SiteEvent): string | undefined {
  const payload = event.payload;
  if (payload?.$case !== "siteSettingsChanged") return undefined;
  const s = payload.siteSettingsChanged;
  if (s.version <= 0) return "site settings without a version";
  if (!s.timeZone || s.timeZone.length > 64 || !isTimeZone(s.timeZone))
    return `site settings name an unknown time zone "${s.timeZone.slice(0, 64)}"`;
  for (const [name, ms] of [
    ["service level threshold", s.serviceLevelThresholdMs],
    ["short abandon threshold", s.shortAbandonThresholdMs],
  ] as const)
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_THRESHOLD_MS)
      return `${name} ${ms} ms is out of 0..${MAX_THRESHOLD_MS}`;
  return undefined;
}

/** The settings an event carries (one that passed `siteSettingsProblem`). */
export function siteSettingsOf(event: SiteEvent): SiteSettings | undefined {
  const payload = event.payload;
  if (payload?.$case !== "siteSettingsChanged") return undefined;
  const s = payload.siteSettingsChanged;
  return {
    timeZone: s.timeZone,
    answerThresholdMs: s.serviceLevelThresholdMs,
    shortAbandonMs: s.shortAbandonThresholdMs,
    version: s.version,
  };
}

/** What a query may override; left out, the site's own. */
export interface SettingsOverrides {
  timeZone?: string | undefined;
  answerThresholdS?: number | undefined;
  shortAbandonS?: number | undefined;
}

/** The settings a query runs with: each override, else the site's. */
export function effectiveSettings(site: SiteSettings, overrides: SettingsOverrides): SiteSettings {
  return {
    timeZone: overrides.timeZone ?? site.timeZone,
    answerThresholdMs:
      overrides.answerThresholdS === undefined ? site.answerThresholdMs : overrides.answerThresholdS * 1_000,
    shortAbandonMs: overrides.shortAbandonS === undefined ? site.shortAbandonMs : overrides.shortAbandonS * 1_000,
    version: site.version,
  };
}

/** The thresholds in the form the figure functions take (one X for every queue of the site). */
export const figureSettings = (settings: SiteSettings): QueueFigureSettings => ({
  answerThresholdMs: () => settings.answerThresholdMs,
  shortAbandonMs: settings.shortAbandonMs,
});
