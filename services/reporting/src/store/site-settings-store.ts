import type { PgPool } from "@handoff/runtime";
import { DEFAULT_SITE_SETTINGS, type SiteSettings } from "../domain/site-settings";
import type { Tx } from "./transaction";

/** A site's settings as one event carried them. */
export interface SiteSettingsChange {
  siteId: string;
  eventId: string;
  occurredAtMs: number;
  settings: SiteSettings;
}

interface Row {
  version: string;
  time_zone: string;
  service_level_threshold_ms: string;
  short_abandon_threshold_ms: string;
}

/** `reporting.site_settings`: each site's settings of the highest portal config version seen. */
export class SiteSettingsStore {
  constructor(private readonly pool: PgPool) {}

  /**
   * Keeps each site's highest version, in the ingest's transaction: a lower or equal version (a
   * redelivery, a replay, a late event) changes nothing, so the outcome depends on the set of events
   * only. One statement; a batch's several versions of a site are reduced to the highest first, as
   * one statement may not update a row twice.
   */
  static async apply(tx: Tx, changes: readonly SiteSettingsChange[]): Promise<void> {
    const latest = new Map<string, SiteSettingsChange>();
    for (const change of changes) {
      const seen = latest.get(change.siteId);
      if (!seen || (change.settings.version ?? 0) > (seen.settings.version ?? 0)) latest.set(change.siteId, change);
    }
    if (latest.size === 0) return;
    const rows = [...latest.values()].map((c) => ({
      site_id: c.siteId,
      version: c.settings.version,
      time_zone: c.settings.timeZone,
      service_level_threshold_ms: c.settings.answerThresholdMs,
      short_abandon_threshold_ms: c.settings.shortAbandonMs,
      changed_at_ms: c.occurredAtMs,
      event_id: c.eventId,
    }));
    await tx.query(
      `insert into reporting.site_settings
         select * from jsonb_populate_recordset(null::reporting.site_settings, $1::jsonb)
       on conflict (site_id) do update set
         version = excluded.version, time_zone = excluded.time_zone,
         service_level_threshold_ms = excluded.service_level_threshold_ms,
         short_abandon_threshold_ms = excluded.short_abandon_threshold_ms,
         changed_at_ms = excluded.changed_at_ms, event_id = excluded.event_id
       where excluded.version > reporting.site_settings.version`,
      [JSON.stringify(rows)],
    );
  }

  /** The site's settings, or the defaults before it published any. */
  async of(siteId: string): Promise<SiteSettings> {
    const { rows } = await this.pool.query<Row>(
      `select version, time_zone, service_level_threshold_ms, short_abandon_threshold_ms
         from reporting.site_settings where site_id = $1`,
      [siteId],
    );
    const row = rows[0];
    return row
      ? {
          timeZone: row.time_zone,
          answerThresholdMs: Number(row.service_level_threshold_ms),
          shortAbandonMs: Number(row.short_abandon_threshold_ms),
          version: Number(row.version),
        }
      : DEFAULT_SITE_SETTINGS;
  }
}
