import { TOPICS } from "@handoff/proto";
import { SiteEvent } from "@handoff/proto/events";
import type { SiteSettings } from "../domain/site-settings";

/** The topic this service produces: a site's settings, keyed by site id, compacted. */
export const SITES_TOPIC = TOPICS.sites;
/** Schema version of the SiteEvent envelope on that topic (the `schema-version` header). */
export const SITE_EVENT_SCHEMA_VERSION = 1;

/** One save's id: the same version of a site always has the same id, so a re-send dedupes. */
export const siteSettingsEventId = (siteId: string, version: number): string => `${siteId}/portal-config/${version}`;

/** The SiteSettingsChanged event of portal config `version`, encoded. */
export function siteSettingsChanged(
  siteId: string,
  version: number,
  settings: SiteSettings,
  savedBy: string,
  occurredAtMs: number,
): { eventId: string; type: string; payload: Uint8Array } {
  const eventId = siteSettingsEventId(siteId, version);
  const payload = SiteEvent.encode({
    eventId,
    occurredAtMs,
    siteId,
    payload: {
      $case: "siteSettingsChanged",
      siteSettingsChanged: {
        version,
        timeZone: settings.timeZone,
        serviceLevelThresholdMs: settings.serviceLevelThresholdS * 1_000,
        shortAbandonThresholdMs: settings.shortAbandonThresholdS * 1_000,
        savedBy,
      },
    },
  }).finish();
  return { eventId, type: "SiteSettingsChanged", payload };
}
