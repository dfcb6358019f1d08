import {
  compareStreamIds,
  createKafka,
  createLogger,
  startEventConsumer,
  type EventConsumer,
  type RedisClient,
} from "@handoff/runtime";
import { randomUUID } from "node:crypto";
import { infrastructureEnv } from "./infrastructure-env";

/** One event a service relayed from its Redis outbox, as a consumer sees it. */
export interface LoggedOutboxEvent<E> {
  /** `${site}/${streamId}`: stable across relay retries. */
  eventId: string;
  /** The outbox stream id, which orders a site's events. */
  streamId: string;
  /** The `event-type` header, e.g. `OfferCreated`. */
  type: string;
  event: E;
  value: Buffer;
  /** The `traceparent` header: the trace of the request that made the event. */
  traceparent: string;
  /** The Kafka message key (partition key). */
  key: string;
}

type Delivery = Omit<LoggedOutboxEvent<never>, "event" | "streamId">;

export interface OutboxEventLogOptions<E> {
  /** The topic the service relays its outbox to. */
  topic: string;
  decode: (value: Uint8Array) => E;
  /** The site's outbox stream, from the service's own key module (not retyped here). */
  outboxKey: (site: string) => string;
}

/**
 * Reads a relayed topic (the acd's routing events, presence's events) from the beginning with a group
 * of its own and keeps every delivery per site. The topic holds every test's events, keyed by session
 * or rep, over several partitions: a site's events are told apart by the site in their event id,
 * deduplicated by it and put back in outbox order by their stream id.
 */
export class OutboxEventLog<E> {
  private readonly deliveriesBySite = new Map<string, Delivery[]>();
  private consumer: EventConsumer | undefined;

  private constructor(private readonly options: OutboxEventLogOptions<E>) {}

  static async start<E>(options: OutboxEventLogOptions<E>): Promise<OutboxEventLog<E>> {
    const kafka = createKafka({
      clientId: `event-log-${randomUUID().slice(0, 8)}`,
      brokers: infrastructureEnv().KAFKA_BROKERS.split(","),
      logger: createLogger("test-event-log", "fatal"),
    });
    const admin = kafka.admin();
    await admin.connect();
    // The service creates the topic on its first send; a consumer must not race it.
    await admin.createTopics({ topics: [{ topic: options.topic }], waitForLeaders: true });
    await admin.disconnect();
    const log = new OutboxEventLog(options);
    log.consumer = await startEventConsumer(kafka, {
      groupId: `event-log-${randomUUID()}`,
      topics: [options.topic],
      fromBeginning: true,
      handle: ({ headers, value, key }) => {
        const slash = headers.eventId.lastIndexOf("/");
        if (slash < 0) return Promise.resolve();
        const site = headers.eventId.slice(0, slash);
        const list = log.deliveriesBySite.get(site) ?? [];
        list.push({ eventId: headers.eventId, type: headers.eventType, value, traceparent: headers.traceparent, key });
        log.deliveriesBySite.set(site, list);
        return Promise.resolve();
      },
    });
    // On a broker that just started, the first join may fail while the coordinator loads (kafkajs then
    // restarts the consumer); only a member of a stable group is sure to read.
    const deadline = Date.now() + 30_000;
    while ((await log.consumer.consumer.describeGroup().catch(() => undefined))?.state !== "Stable") {
      if (Date.now() > deadline) throw new Error("the event log's consumer did not join its group within 30 s");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return log;
  }

  /** How many messages of the site arrived, duplicates included. */
  deliveryCount(site: string): number {
    return this.deliveriesBySite.get(site)?.length ?? 0;
  }

  /** Event ids delivered more than once, with how often; and ids whose copies differ in content. */
  duplicates(site: string): { repeated: Map<string, number>; differing: string[] } {
    const first = new Map<string, Buffer>();
    const repeated = new Map<string, number>();
    const differing: string[] = [];
    for (const d of this.deliveriesBySite.get(site) ?? []) {
      const seen = first.get(d.eventId);
      if (!seen) {
        first.set(d.eventId, d.value);
        continue;
      }
      repeated.set(d.eventId, (repeated.get(d.eventId) ?? 1) + 1);
      if (!seen.equals(d.value)) differing.push(d.eventId);
    }
    return { repeated, differing };
  }

  /** The site's events, deduplicated by event id, in outbox order. */
  events(site: string): LoggedOutboxEvent<E>[] {
    const unique = new Map<string, LoggedOutboxEvent<E>>();
    for (const d of this.deliveriesBySite.get(site) ?? []) {
      if (unique.has(d.eventId)) continue;
      unique.set(d.eventId, { ...d, streamId: d.eventId.slice(site.length + 1), event: this.options.decode(d.value) });
    }
    return [...unique.values()].sort((a, b) => compareStreamIds(a.streamId, b.streamId));
  }

  /**
   * Waits until the relay has forwarded the site's whole outbox: every entry is in Kafka and the
   * outbox stopped growing. Returns the outbox ids (tests run well within the relays' trim margin, so
   * the outbox still holds every event of the site).
   */
  async waitForRelay(redis: RedisClient, site: string, timeoutMs = 20_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let previousLength = -1;
    for (;;) {
      const outbox = (await redis.xrange(this.options.outboxKey(site), "-", "+")).map(([id]) => id);
      const relayed = new Set(this.events(site).map((e) => e.streamId));
      const missing = outbox.filter((id) => !relayed.has(id));
      if (missing.length === 0 && outbox.length === previousLength) return outbox;
      previousLength = outbox.length;
      if (Date.now() > deadline)
        throw new Error(
          `relay did not catch up within ${timeoutMs} ms: ${missing.length} of ${outbox.length} outbox entries not in Kafka`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }
}
