import type { EventProducer, PgPool } from "@handoff/runtime";
import { brokerMetrics } from "../metrics";
import { SESSION_EVENT_SCHEMA_VERSION, SESSIONS_TOPIC } from "./topics";

export interface SessionOutboxRelayOptions {
  /** Rows per Kafka batch. @default 500 */
  batchSize?: number;
  /** Pause when nothing was due. @default 50 */
  idleMs?: number;
  /** Published rows are deleted after this long. @default 3_600_000 */
  keepMs?: number;
}

interface OutboxRecord {
  id: string;
  session_id: string;
  event_id: string;
  type: string;
  payload: Buffer;
  traceparent: string | null;
  created_at_ms: string;
}

/**
 * Publishes `session_outbox` to Kafka `handoff.sessions.v1` (idempotent producer, key = session id)
 * and marks what Kafka acknowledged. Runs on the leader only. Rows are taken in id order under
 * `for update`, so a second relay (a leadership hand-over in flight) waits instead of sending the
 * same rows; a crash between send and mark re-sends them, and consumers dedupe by event id. Per
 * session, ids grow in commit order because a session's changes serialise on its row lock.
 */
export class SessionOutboxRelay {
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly keepMs: number;
  private lastPrune = 0;

  constructor(
    private readonly pool: PgPool,
    private readonly producer: EventProducer,
    options: SessionOutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idleMs = options.idleMs ?? 50;
    this.keepMs = options.keepMs ?? 3_600_000;
  }

  /** One batch; returns the pause before the next (0 while there is more to send). */
  async relayOnce(): Promise<number> {
    const client = await this.pool.connect();
    let sent = 0;
    try {
      await client.query("begin");
      const { rows } = await client.query<OutboxRecord>(
        `select id, session_id, event_id, type, payload, traceparent, created_at_ms from session_outbox
         where published_at_ms is null order by id limit $1 for update`,
        [this.batchSize],
      );
      if (rows.length > 0) {
        await this.producer.publish(
          SESSIONS_TOPIC,
          rows.map((r) => ({
            key: r.session_id,
            value: r.payload,
            eventId: r.event_id,
            eventType: r.type,
            schemaVersion: SESSION_EVENT_SCHEMA_VERSION,
            traceparent: r.traceparent ?? undefined,
          })),
        );
        await client.query("update session_outbox set published_at_ms = $2 where id = any($1)", [
          rows.map((r) => r.id),
          Date.now(),
        ]);
        brokerMetrics.outboxLagMs.record(Date.now() - Number(rows[0]!.created_at_ms));
      }
      await client.query("commit");
      sent = rows.length;
    } catch (error) {
      await client.query("rollback").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    await this.prune();
    if (sent === this.batchSize) return 0;
    if (sent === 0) brokerMetrics.outboxLagMs.record(0);
    return this.idleMs;
  }

  /** Rows Kafka acknowledged long ago are deleted (once a minute). */
  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < 60_000) return;
    this.lastPrune = Date.now();
    await this.pool.query("delete from session_outbox where published_at_ms < $1", [Date.now() - this.keepMs]);
    const { rows } = await this.pool.query<{ n: string }>(
      "select count(*) as n from session_outbox where published_at_ms is null",
    );
    brokerMetrics.outboxBacklog.record(Number(rows[0]?.n ?? 0));
  }
}
