import { sweepDue, type DueClaims } from "../due/due-index";
import type { RedisClient } from "../redis/connection";
import type { EventProducer, OutgoingEvent } from "../kafka/producer";

/** One entry of a Redis-stream outbox: its stream id and its field/value pairs. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string>;
}

export interface StreamOutboxRelayOptions {
  redis: RedisClient;
  producer: EventProducer;
  topic: string;
  /** Where writers mark the tenants whose outbox has entries to relay: the `relay` index. */
  due: DueClaims<"relay">;
  outboxKey(site: string): string;
  /** Where the id of the last entry Kafka acknowledged is kept. */
  cursorKey(site: string): string;
  toEvent(site: string, entry: StreamEntry): OutgoingEvent;
  /** Entries per Kafka batch. @default 500 */
  batchSize?: number;
  /** Acknowledged entries stay this long for readers that tail the stream. @default 60000 */
  keepMs?: number;
  /** Pause when no outbox had entries: how soon a new mark is noticed. @default 10 */
  idleMs?: number;
}

/** An event as `appendOutbox` (redis/lua/tenant.lua) wrote it. */
export interface OutboxEntry {
  id: string;
  type: string;
  /** The Kafka partition key: session id or rep id. */
  key: string;
  at: number;
  data: Record<string, unknown>;
  traceparent: string;
  /** Every field, for a service's own extra ones. */
  fields: Record<string, string>;
}

export function parseOutboxEntry({ id, fields }: StreamEntry): OutboxEntry {
  return {
    id,
    type: fields.t ?? "",
    key: fields.k ?? "",
    at: Number(fields.at ?? 0),
    data: JSON.parse(fields.d ?? "{}") as Record<string, unknown>,
    traceparent: fields.tp ?? "",
    fields,
  };
}

export function streamEntry(id: string, flat: readonly string[]): StreamEntry {
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[flat[i]!] = flat[i + 1]!;
  return { id, fields };
}

/**
 * Relays Redis-stream outboxes (written by the same Redis function that changed the state) to Kafka in
 * stream order, then moves the tenant's cursor. A crash between the send and the cursor update
 * re-sends that batch: nothing is lost, and consumers drop duplicates by event id. Exactly one
 * replica (the leader) may run it, so a tenant's events never go out of order.
 */
export class StreamOutboxRelay {
  private readonly batchSize: number;
  private readonly keepMs: number;
  private readonly idleMs: number;

  constructor(private readonly options: StreamOutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.keepMs = options.keepMs ?? 60_000;
    this.idleMs = options.idleMs ?? 10;
  }

  /** Relays one batch of one site; returns how many events went out. */
  async relaySite(site: string): Promise<number> {
    const { redis } = this.options;
    const cursor = (await redis.get(this.options.cursorKey(site))) ?? "0-0";
    const raw = await redis.xrange(this.options.outboxKey(site), `(${cursor}`, "+", "COUNT", this.batchSize);
    const last = raw.at(-1);
    if (!last) return 0;
    await this.options.producer.publish(
      this.options.topic,
      raw.map(([id, flat]) => this.options.toEvent(site, streamEntry(id, flat))),
    );
    await redis.set(this.options.cursorKey(site), last[0]);
    const acknowledgedAt = Number(last[0].split("-")[0]);
    await redis.xtrim(this.options.outboxKey(site), "MINID", "~", String(Math.max(0, acknowledgedAt - this.keepMs)));
    return raw.length;
  }

  /** One pass over the sites marked as having entries to relay; returns the ms to wait before the next. */
  relayDue(): Promise<number> {
    return sweepDue(
      this.options.due,
      "relay",
      async (site) => ((await this.relaySite(site)) === this.batchSize ? 0 : undefined),
      { maxSleepMs: this.idleMs },
    );
  }
}

/**
 * Waits until a tenant's outbox holds nothing after its relay cursor (the leader sent it all to Kafka),
 * polling for at most `timeoutMs`; true when relayed. A retired site's keys go only after this.
 */
export async function waitForOutboxRelayed(
  redis: RedisClient,
  outboxKey: string,
  cursorKey: string,
  timeoutMs: number,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const cursor = (await redis.get(cursorKey)) ?? "0-0";
    if ((await redis.xrange(outboxKey, `(${cursor}`, "+", "COUNT", 1)).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
