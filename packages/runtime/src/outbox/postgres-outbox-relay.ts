import type { Pool } from "pg";
import type { EventProducer } from "../kafka/producer";

/**
 * An outbox table as the relay reads it: `id bigserial` (commit order per aggregate), the key column,
 * `event_id`, `type`, `payload bytea`, `traceparent`, `created_at_ms`, `published_at_ms` (null until
 * Kafka acknowledged it), with a partial index on `id` where `published_at_ms is null`.
 */
export interface PostgresOutboxRelayOptions {
  /** The outbox table (a constant of the service, never input). */
  table: string;
  /** Its column holding the Kafka key (session id, site id). */
  keyColumn: string;
  topic: string;
  /** The `schema-version` header of the topic's envelope. */
  schemaVersion: number;
  /** Rows per Kafka batch. @default 500 */
  batchSize?: number;
  /** Pause when nothing was due. @default 50 */
  idleMs?: number;
  /** Published rows are deleted after this long; null keeps them. @default 3_600_000 */
  keepMs?: number | null;
  /** Called after each batch sent with how long its oldest row waited (0 when nothing was due). */
  onLag?(ms: number): void;
  /** Called after each prune with the rows not yet published. */
  onBacklog?(rows: number): void;
}

interface OutboxRecord {
  id: string;
  key: string;
  event_id: string;
  type: string;
  payload: Buffer;
  traceparent: string | null;
  created_at_ms: string;
}

const PRUNE_EVERY_MS = 60_000;

/**
 * Publishes an outbox table to Kafka (idempotent producer) and marks what Kafka acknowledged. Rows are
 * taken in id order under `for update`, so a second relay (another replica, or a leadership hand-over
 * in flight) waits and then skips what the first published, instead of sending the same rows; a crash
 * between send and mark re-sends them, and consumers dedupe by event id.
 */
export class PostgresOutboxRelay {
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly keepMs: number | null;
  private lastPrune = 0;

  constructor(
    private readonly pool: Pool,
    private readonly producer: EventProducer,
    private readonly options: PostgresOutboxRelayOptions,
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.idleMs = options.idleMs ?? 50;
    this.keepMs = options.keepMs === undefined ? 3_600_000 : options.keepMs;
  }

  /** One batch; returns the pause before the next (0 while there is more to send). */
  async relayOnce(): Promise<number> {
    const { table, keyColumn } = this.options;
    const client = await this.pool.connect();
    let sent = 0;
    try {
      await client.query("begin");
      const { rows } = await client.query<OutboxRecord>(
        `select id, ${keyColumn} as key, event_id, type, payload, traceparent, created_at_ms from ${table}
         where published_at_ms is null order by id limit $1 for update`,
        [this.batchSize],
      );
      if (rows.length > 0) {
        await this.producer.publish(
          this.options.topic,
          rows.map((r) => ({
            key: r.key,
            value: r.payload,
            eventId: r.event_id,
            eventType: r.type,
            schemaVersion: this.options.schemaVersion,
            traceparent: r.traceparent ?? undefined,
          })),
        );
        await client.query(`update ${table} set published_at_ms = $2 where id = any($1)`, [
          rows.map((r) => r.id),
          Date.now(),
        ]);
        this.options.onLag?.(Date.now() - Number(rows[0]!.created_at_ms));
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
    if (sent === 0) this.options.onLag?.(0);
    return this.idleMs;
  }

  /** Rows Kafka acknowledged long ago are deleted (once a minute). */
  private async prune(): Promise<void> {
    if (Date.now() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = Date.now();
    const { table } = this.options;
    if (this.keepMs !== null)
      await this.pool.query(`delete from ${table} where published_at_ms < $1`, [Date.now() - this.keepMs]);
    if (!this.options.onBacklog) return;
    const { rows } = await this.pool.query<{ n: string }>(
      `select count(*) as n from ${table} where published_at_ms is null`,
    );
    this.options.onBacklog(Number(rows[0]?.n ?? 0));
  }
}
