import { StreamOutboxRelay, type EventProducer, type RedisClient } from "@handoff/runtime";
import { RoutingEvent } from "@handoff/proto/events";
import { keys } from "../store/keys";
import { parseRoutingEntry } from "../store/routing-records";
import type { RoutingStore } from "../store/routing-store";
import { recordRoutingEvent } from "./routing-metrics";
import { routingEventId, routingEventKey, toRoutingEvent } from "./routing-events";
import { ROUTING_SCHEMA_VERSION, ROUTING_TOPIC } from "./topics";

/** Relays every site's routing outbox to `handoff.routing.v1`. */
export function routingOutboxRelay(
  redis: RedisClient,
  store: RoutingStore,
  producer: EventProducer,
): StreamOutboxRelay {
  return new StreamOutboxRelay({
    redis,
    producer,
    topic: ROUTING_TOPIC,
    due: store.due,
    outboxKey: keys.outbox,
    cursorKey: keys.relayCursor,
    // Offers reach reps through the offer feed, not Kafka, so the relay need not look for marks often.
    idleMs: 50,
    toEvent: (site, raw) => {
      const entry = parseRoutingEntry(raw);
      const event = toRoutingEvent(site, entry);
      recordRoutingEvent(event);
      return {
        key: routingEventKey(site, entry),
        value: RoutingEvent.encode(event).finish(),
        eventId: routingEventId(site, entry),
        eventType: entry.type,
        schemaVersion: ROUTING_SCHEMA_VERSION,
        traceparent: entry.traceparent,
      };
    },
  });
}
