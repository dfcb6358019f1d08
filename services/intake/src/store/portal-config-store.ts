import { currentTraceparent, type PgPool } from "@handoff/runtime";
import type { PoolClient } from "pg";
import type { PortalConfig } from "../domain/portal-config";
import { siteSettingsOf } from "../domain/site-settings";
import { siteSettingsChanged } from "../events/site-events";

/** One stored version of a site's portal config. */
export interface PortalConfigVersion {
  version: number;
  createdAt: Date;
  createdBy: string;
  config: PortalConfig;
}

export type PortalConfigVersionSummary = Omit<PortalConfigVersion, "config">;

/** A site's retirement mark: its versions up to `throughVersion` are history only. */
export interface SiteRetirementMark {
  throughVersion: number;
  retiredAt: Date;
  retiredBy: string;
}

/** Versions of `$1` after its retirement mark (all of them for a site never retired). */
const LIVE_VERSIONS = `site_id = $1 and version > coalesce(
  (select through_version from site_retirements where site_id = $1), 0)`;

/** The write did not happen: the site's config is at `currentVersion`, not at the version expected. */
export interface VersionConflict {
  conflict: true;
  currentVersion: number;
}

interface VersionRow {
  version: number;
  created_at: Date;
  created_by: string;
  config?: PortalConfig;
}

const summaryOf = (row: VersionRow): PortalConfigVersionSummary => ({
  version: row.version,
  createdAt: row.created_at,
  createdBy: row.created_by,
});

/**
 * The only door to the portal configs in PostgreSQL (migrations in ./migrations). Configs are stored
 * as validated and read back as they were stored, so the portal config schema may only grow in a
 * backward-compatible way (new fields optional): older versions stay readable as they are.
 */
export class PortalConfigStore {
  constructor(private readonly pool: PgPool) {}

  /** The site's current config, or undefined before its first version and after its retirement. */
  async current(siteId: string): Promise<PortalConfigVersion | undefined> {
    const { rows } = await this.pool.query<VersionRow & { config: PortalConfig }>(
      `select version, created_at, created_by, config from portal_config_versions
        where ${LIVE_VERSIONS} order by version desc limit 1`,
      [siteId],
    );
    return rows[0] && { ...summaryOf(rows[0]), config: rows[0].config };
  }

  async atVersion(siteId: string, version: number): Promise<PortalConfigVersion | undefined> {
    const { rows } = await this.pool.query<VersionRow & { config: PortalConfig }>(
      "select version, created_at, created_by, config from portal_config_versions where site_id = $1 and version = $2",
      [siteId, version],
    );
    return rows[0] && { ...summaryOf(rows[0]), config: rows[0].config };
  }

  /** Up to `limit` versions below `before` (all when absent), newest first. */
  async history(siteId: string, limit: number, before?: number): Promise<PortalConfigVersionSummary[]> {
    const { rows } = await this.pool.query<VersionRow>(
      `select version, created_at, created_by from portal_config_versions
        where site_id = $1 and ($2::integer is null or version < $2)
        order by version desc limit $3`,
      [siteId, before ?? null, limit],
    );
    return rows.map(summaryOf);
  }

  /**
   * Stores `config` as the site's next version if the site is at `expectedVersion` now (0: has no
   * config yet, or was retired); otherwise nothing changes and the conflict says where the site is.
   * The next version is `expectedVersion + 1`, except after a retirement, where numbering goes on
   * from the retired history. The version's site settings go into the outbox in the same transaction
   * (the relay publishes them).
   */
  async save(
    siteId: string,
    expectedVersion: number,
    config: PortalConfig,
    createdBy: string,
  ): Promise<PortalConfigVersionSummary | VersionConflict> {
    const client = await this.pool.connect();
    try {
      await client.query("begin");
      const { rows } = await client.query<VersionRow>(
        `insert into portal_config_versions (site_id, version, config, created_by)
         select $1, coalesce((select max(version) from portal_config_versions where site_id = $1), 0) + 1, $3, $4
          where coalesce((select max(version) from portal_config_versions where ${LIVE_VERSIONS}), 0) = $2::integer
         on conflict (site_id, version) do nothing
         returning version, created_at, created_by`,
        [siteId, expectedVersion, JSON.stringify(config), createdBy],
      );
      if (rows[0]) await announce(client, siteId, rows[0].version, config, createdBy, rows[0].created_at.getTime());
      await client.query("commit");
      if (rows[0]) return summaryOf(rows[0]);
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    return { conflict: true, currentVersion: (await this.current(siteId))?.version ?? 0 };
  }

  /**
   * Marks the site retired through its latest version (asked again, the mark moves to the latest).
   * Its history stays; `current` has nothing for it until a new version is saved.
   */
  async retire(siteId: string, retiredBy: string): Promise<SiteRetirementMark> {
    const { rows } = await this.pool.query<{ through_version: number; retired_at: Date; retired_by: string }>(
      `insert into site_retirements (site_id, through_version, retired_by)
       values ($1, coalesce((select max(version) from portal_config_versions where site_id = $1), 0), $2)
       on conflict (site_id) do update
         set through_version = excluded.through_version, retired_at = now(), retired_by = excluded.retired_by
       returning through_version, retired_at, retired_by`,
      [siteId, retiredBy],
    );
    const row = rows[0]!;
    return { throughVersion: row.through_version, retiredAt: row.retired_at, retiredBy: row.retired_by };
  }

  /**
   * Puts into the outbox the current version of up to `limit` sites that was never announced (saved
   * before the outbox existed); returns how many. Replicas may run it at once: a version is announced
   * once (unique site and version).
   */
  async announceUnannounced(limit: number): Promise<number> {
    const { rows } = await this.pool.query<VersionRow & { site_id: string; config: PortalConfig }>(
      `select v.site_id, v.version, v.created_at, v.created_by, v.config
         from (select site_id, max(version) as version from portal_config_versions group by site_id) as latest
         join portal_config_versions v using (site_id, version)
        where not exists (select 1 from site_outbox o where o.site_id = v.site_id and o.version = v.version)
        limit $1`,
      [limit],
    );
    for (const row of rows)
      await announce(this.pool, row.site_id, row.version, row.config, row.created_by, row.created_at.getTime());
    return rows.length;
  }
}

/** The outbox row of a saved version: its site settings, in the trace of the request that saved it. */
async function announce(
  db: Pick<PoolClient, "query">,
  siteId: string,
  version: number,
  config: PortalConfig,
  savedBy: string,
  savedAtMs: number,
): Promise<void> {
  const event = siteSettingsChanged(siteId, version, siteSettingsOf(config), savedBy, savedAtMs);
  await db.query(
    `insert into site_outbox (site_id, version, event_id, type, payload, traceparent, created_at_ms)
     values ($1, $2, $3, $4, $5, $6, $7)
     on conflict do nothing`,
    [siteId, version, event.eventId, event.type, event.payload, currentTraceparent() || null, savedAtMs],
  );
}
