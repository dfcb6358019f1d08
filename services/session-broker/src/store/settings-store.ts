import type { PgPool } from "@handoff/runtime";
import { DEFAULT_BROKER_SETTINGS, type BrokerSettingsValues } from "../domain/broker-settings";

export interface StoredBrokerSettings {
  settings: BrokerSettingsValues;
  /** 0 while the site has never stored settings (the defaults apply). */
  version: number;
}

/** Each site's session rules (`broker_settings`); a site that never stored any gets the defaults. */
export class SettingsStore {
  constructor(
    private readonly pool: PgPool,
    private readonly now: () => number = Date.now,
  ) {}

  async get(siteId: string): Promise<StoredBrokerSettings> {
    const result = await this.pool.query<{ settings: Partial<BrokerSettingsValues>; version: string }>(
      "select settings, version from broker_settings where site_id = $1",
      [siteId],
    );
    const row = result.rows[0];
    if (!row) return { settings: DEFAULT_BROKER_SETTINGS, version: 0 };
    // Settings added after a site stored its own take their defaults.
    return { settings: { ...DEFAULT_BROKER_SETTINGS, ...row.settings }, version: Number(row.version) };
  }

  /** Replaces the site's settings (already validated) and returns the new version. */
  async put(siteId: string, settings: BrokerSettingsValues): Promise<number> {
    const result = await this.pool.query<{ version: string }>(
      `insert into broker_settings (site_id, settings, version, updated_at_ms) values ($1, $2, 1, $3)
       on conflict (site_id) do update set settings = excluded.settings, version = broker_settings.version + 1,
         updated_at_ms = excluded.updated_at_ms
       returning version`,
      [siteId, settings, this.now()],
    );
    return Number(result.rows[0]!.version);
  }
}
