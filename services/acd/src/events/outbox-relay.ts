import type { EventProducer, Logger } from "@handoff/runtime";
import { RoutingEvent } from "@handoff/proto/events";
import type { RoutingStore } from "../store/routing-store";
import { routingEventId, routingEventKey, toRoutingEvent } from "./routing-events";
import { ROUTING_SCHEMA_VERSION, ROUTING_TOPIC } from "./topics";

export interface OutboxRelayOptions {
  /** Entries per Kafka batch. @default 500 */
  batchSize?: number;
  /** Acknowledged entries stay this long for lagging offer feeds. @default 60000 */
  keepMs?: number;
  /** Pause when every outbox was empty. @default 10 */
  idleMs?: number;
}

/**
 * Forwards each site's outbox stream to Kafka in stream order, then moves the site's cursor. A crash
 * between the send and the cursor update re-sends the batch: nothing is lost, and consumers drop the
 * duplicates by event id. Only the leader runs it, so one site's events are never sent out of order.
 */
export class OutboxRelay {
  private readonly batchSize: number;
  private readonly keepMs: number;
  private readonly idleMs: number;

  constructor(
    private readonly store: RoutingStore,
    private readonly producer: EventProducer,
    private readonly logger: Logger,
    options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.keepMs = options.keepMs ?? 60_000;
    this.idleMs = options.idleMs ?? 10;
  }

  /** Relays one batch of one site; returns how many events went out. */
  async relaySite(site: string): Promise<number> {
    const cursor = await this.store.relayCursor(site);
    const entries = await this.store.readOutbox(site, cursor, this.batchSize);
    const last = entries.at(-1);
    if (!last) return 0;
    await this.producer.publish(
      ROUTING_TOPIC,
      entries.map((entry) => ({
        key: routingEventKey(entry),
        value: RoutingEvent.encode(toRoutingEvent(site, entry)).finish(),
        eventId: routingEventId(site, entry),
        eventType: entry.type,
        schemaVersion: ROUTING_SCHEMA_VERSION,
        traceparent: entry.traceparent,
      })),
    );
    await this.store.advanceRelayCursor(site, last.id, this.keepMs);
    return entries.length;
  }

  /** One pass over every site; returns the ms to wait before the next pass. */
  async relayAll(): Promise<number> {
    let sent = 0;
    for (const site of await this.store.sites()) {
      const n = await this.relaySite(site);
      sent += n;
      if (n > 0) this.logger.debug({ site, n }, "relayed routing events");
    }
    return sent > 0 ? 0 : this.idleMs;
  }
}
