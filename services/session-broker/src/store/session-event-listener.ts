import pg from "pg";
import type { Logger } from "@handoff/runtime";
import { REP_INVITATIONS_CHANNEL, SESSION_EVENTS_CHANNEL, type RepInvitationNotice } from "./session-events";

export interface SessionEventListenerOptions {
  /** First pause before reconnecting; it doubles up to `maxRetryMs`. @default 200 */
  minRetryMs?: number;
  /** @default 5_000 */
  maxRetryMs?: number;
  /** How often the idle connection is proved alive with a query. @default 10_000 */
  pingMs?: number;
}

/** What the listener tells its owner. */
export interface SessionEventHandlers {
  /** A replica committed events of a session, up to `lastSequence`. */
  onEvents(siteId: string, sessionId: string, lastSequence: number): void;
  /** Announcements may have been missed (the connection was lost and is back): every reader re-reads. */
  onResync(): void;
  /** A rep (or a team) was invited into a session, on any replica. */
  onInvitation?(notice: RepInvitationNotice): void;
}

/**
 * One dedicated PostgreSQL connection per process, LISTENing on the session-events channel: every
 * replica's commits are announced there (SessionStore sends pg NOTIFY at commit), and on the channel of
 * rep invitations. A lost connection is re-opened with backoff; announcements made meanwhile are gone,
 * so once it listens again `onResync` makes every reader look for itself (an invitation announced in
 * that gap reaches no socket; the invitee still joins through the API, and the inviter can invite again).
 */
export class SessionEventListener {
  private readonly minRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly pingMs: number;
  private retryMs: number;
  private client?: pg.Client;
  private retryTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly connectionString: string,
    private readonly handlers: SessionEventHandlers,
    private readonly logger: Logger,
    options: SessionEventListenerOptions = {},
  ) {
    this.minRetryMs = options.minRetryMs ?? 200;
    this.maxRetryMs = options.maxRetryMs ?? 5_000;
    this.pingMs = options.pingMs ?? 10_000;
    this.retryMs = this.minRetryMs;
  }

  /** Connects in the background (and keeps reconnecting); feeds work from PostgreSQL meanwhile. */
  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    await this.client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({
      connectionString: this.connectionString,
      keepAlive: true,
      // Names the connection in pg_stat_activity (operators, and tests that cut it).
      application_name: `handoff-session-feed:${process.pid}`,
    });
    this.client = client;
    let lost = false;
    const fail = (error: unknown) => {
      if (lost || this.stopped) return;
      lost = true;
      this.reconnectAfter(client, error);
    };
    client.on("error", fail);
    client.on("end", () => fail(new Error("connection ended")));
    client.on("notification", (message) =>
      message.channel === REP_INVITATIONS_CHANNEL ? this.invitation(message.payload) : this.announce(message.payload),
    );
    try {
      await client.connect();
      await client.query(`listen ${SESSION_EVENTS_CHANNEL}; listen ${REP_INVITATIONS_CHANNEL}`);
    } catch (error) {
      fail(error);
      return;
    }
    if (lost || this.stopped) return;
    this.retryMs = this.minRetryMs;
    this.pingTimer = setInterval(() => void client.query("select 1").catch(fail), this.pingMs);
    this.pingTimer.unref();
    this.handlers.onResync();
  }

  private reconnectAfter(client: pg.Client, error: unknown): void {
    clearInterval(this.pingTimer);
    client.removeAllListeners("notification");
    client.end().catch(() => undefined);
    this.logger.warn({ err: error, retryInMs: this.retryMs }, "session events listener lost PostgreSQL; reconnecting");
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryMs = Math.min(this.retryMs * 2, this.maxRetryMs);
  }

  private invitation(payload: string | undefined): void {
    try {
      this.handlers.onInvitation?.(JSON.parse(payload ?? "") as RepInvitationNotice);
    } catch (error) {
      this.logger.warn({ err: error }, "session events listener: an invitation announcement was not JSON");
    }
  }

  /** The payload is "site session lastSequence" (ids never hold spaces). */
  private announce(payload: string | undefined): void {
    const [siteId, sessionId, sequence] = (payload ?? "").split(" ");
    if (!siteId || !sessionId) return;
    this.handlers.onEvents(siteId, sessionId, Number(sequence) || 0);
  }
}
