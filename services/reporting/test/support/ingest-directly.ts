import type { PgPool } from "@handoff/runtime";
import { createLogger } from "@handoff/runtime";
import { INGEST_TOPICS } from "../../src/events/ingest-topics";
import { EventIngester } from "../../src/ingest/event-ingester";
import type { LoggedEvent } from "./event-log-builder";

/**
 * Runs a log through the real ingester (decoding, dedupe, facts) without Kafka, as the consumers
 * would: each run of consecutive events of one topic is one batch of at most `batchSize`.
 */
export async function ingestDirectly(pool: PgPool, events: readonly LoggedEvent[], batchSize = 500): Promise<void> {
  const ingester = new EventIngester(pool, createLogger("reporting-test", "silent"));
  const offsets = { routing: 0, presence: 0, sessions: 0 };
  for (let start = 0; start < events.length; ) {
    const kind = events[start]!.kind;
    let end = start;
    while (end < events.length && end - start < batchSize && events[end]!.kind === kind) end++;
    await ingester.ingestBatch(
      kind,
      events.slice(start, end).map(({ message }) => ({
        topic: INGEST_TOPICS[kind],
        partition: 0,
        offset: String(offsets[kind]++),
        key: message.key,
        value: Buffer.from(message.value),
        headers: {
          eventId: message.eventId,
          eventType: message.eventType,
          schemaVersion: message.schemaVersion,
          traceparent: "",
        },
      })),
    );
    start = end;
  }
}
