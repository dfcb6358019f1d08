import type { Logger } from "@handoff/runtime";
import pg from "pg";
import { SITE_CHANGED_CHANNEL } from "../store/site-change-notice";

const RETRY_MIN_MS = 500;
const RETRY_MAX_MS = 10_000;

export interface SiteChangeHandlers {
  /** A committed ingest changed this site's figures. */
  changed(siteId: string): void;
  /** The connection was (re)made: notices sent while it was down are lost, so every site may have changed. */
  resync(): void;
}

/**
 * One connection per replica that LISTENs for `SITE_CHANGED_CHANNEL`: the change feed the live streams
 * fan out from, so no stream polls PostgreSQL. A lost connection is made again with a growing pause;
 * each (re)connection asks for a resync. Hand-written on `pg` (a LISTEN and a reconnect) because the
 * LISTEN libraries on npm (pg-listen) have seen no release since 2020.
 */
export class SiteChangeListener {
  private client: pg.Client | undefined;
  private retryMs = RETRY_MIN_MS;
  private retry: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly handlers: SiteChangeHandlers,
    private readonly logger: Logger,
  ) {}

  /** Resolves once the first attempt is over; a failed one, and later losses, are retried in the background. */
  start(): Promise<void> {
    return this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on("notification", (notice) => {
      if (notice.channel === SITE_CHANGED_CHANNEL && notice.payload) this.handlers.changed(notice.payload);
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, undefined));
    this.client = client;
    try {
      await client.connect();
      await client.query(`listen ${SITE_CHANGED_CHANNEL}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    this.retryMs = RETRY_MIN_MS;
    this.handlers.resync();
  }

  private lost(client: pg.Client, error: Error | undefined): void {
    if (this.stopped || this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners();
    client.on("error", () => undefined);
    void client.end().catch(() => undefined);
    this.logger.warn({ err: error, retryInMs: this.retryMs }, "live stream change feed lost; listening again");
    this.retry = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }
}
