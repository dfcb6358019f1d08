import type { PgPool } from "@handoff/runtime";
import { createLogger } from "@handoff/runtime";
import { EventIngester } from "../../src/ingest/event-ingester";
import { INGEST_TOPICS } from "../../src/events/ingest-topics";
import type { LoggedEvent } from "./event-log-builder";

/** Runs a log through the real ingester (decoding, dedupe, facts) without Kafka, as the consumers would. */
export async function ingestDirectly(pool: PgPool, events: readonly LoggedEvent[]): Promise<void> {
  const ingester = new EventIngester(pool, createLogger("reporting-test", "silent"));
  let offset = 0;
  for (const { kind, message } of events)
    await ingester.ingest(kind, {
      topic: INGEST_TOPICS[kind],
      partition: 0,
      offset: String(offset++),
      key: message.key,
      value: Buffer.from(message.value),
      headers: {
        eventId: message.eventId,
        eventType: message.eventType,
        schemaVersion: message.schemaVersion,
        traceparent: "",
      },
    });
}
