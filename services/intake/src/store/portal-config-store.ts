import type { PgPool } from "@handoff/runtime";
import type { PortalConfig } from "../domain/portal-config";

/** One stored version of a site's portal config. */
export interface PortalConfigVersion {
  version: number;
  createdAt: Date;
  createdBy: string;
  config: PortalConfig;
}

export type PortalConfigVersionSummary = Omit<PortalConfigVersion, "config">;

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

  /** The site's current config, or undefined before its first version. */
  async current(siteId: string): Promise<PortalConfigVersion | undefined> {
    const { rows } = await this.pool.query<VersionRow & { config: PortalConfig }>(
      `select version, created_at, created_by, config from portal_config_versions
        where site_id = $1 order by version desc limit 1`,
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
   * Stores `config` as version `expectedVersion + 1` if the site is at `expectedVersion` now (0: has
   * no config yet); otherwise nothing changes and the conflict says where the site is.
   */
  async save(
    siteId: string,
    expectedVersion: number,
    config: PortalConfig,
    createdBy: string,
  ): Promise<PortalConfigVersionSummary | VersionConflict> {
    const { rows } = await this.pool.query<VersionRow>(
      `insert into portal_config_versions (site_id, version, config, created_by)
       select $1, $2::integer + 1, $3, $4
        where coalesce((select max(version) from portal_config_versions where site_id = $1), 0) = $2
       on conflict (site_id, version) do nothing
       returning version, created_at, created_by`,
      [siteId, expectedVersion, JSON.stringify(config), createdBy],
    );
    if (rows[0]) return summaryOf(rows[0]);
    return { conflict: true, currentVersion: (await this.current(siteId))?.version ?? 0 };
  }
}
