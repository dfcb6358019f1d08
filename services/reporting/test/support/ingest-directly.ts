import type { PgPool } from "@handoff/runtime";
import { createLogger } from "@handoff/runtime";
import { INGEST_KINDS, INGEST_TOPICS } from "../../src/events/ingest-topics";
import { EventIngester } from "../../src/ingest/event-ingester";
import type { LoggedEvent } from "./event-log-builder";

/**
 * Runs a log through the real ingester (decoding, dedupe, facts) without Kafka, as the consumers
 * would: each topic's events in their order, in batches of at most `batchSize`.
 */
export async function ingestDirectly(pool: PgPool, events: readonly LoggedEvent[], batchSize = 500): Promise<void> {
  const ingester = new EventIngester(pool, createLogger("reporting-test", "silent"));
  for (const kind of INGEST_KINDS) {
    const messages = events
      .filter((e) => e.kind === kind)
      .map(({ message }, offset) => ({
        topic: INGEST_TOPICS[kind],
        partition: 0,
        offset: String(offset),
        key: message.key,
        value: Buffer.from(message.value),
        headers: {
          eventId: message.eventId,
          eventType: message.eventType,
          schemaVersion: message.schemaVersion,
          traceparent: "",
        },
      }));
    for (let start = 0; start < messages.length; start += batchSize)
      await ingester.ingestBatch(kind, messages.slice(start, start + batchSize));
  }
}
