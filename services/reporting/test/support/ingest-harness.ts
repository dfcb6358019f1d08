import { randomUUID } from "node:crypto";
import { createLogger, fetchTopicEnds, type EventProducer } from "@handoff/runtime";
import type { Meter } from "@opentelemetry/api";
import type { Admin, Kafka } from "kafkajs";
import { ConsumerLag } from "../../src/events/consumer-lag";
import { startIngestConsumers, type IngestConsumers } from "../../src/events/ingest-consumers";
import { INGEST_KINDS, type IngestTopics } from "../../src/events/ingest-topics";
import { EventIngester } from "../../src/ingest/event-ingester";
import { startGroupsAtEnd } from "./consumer-groups";
import type { LoggedEvent } from "./event-log-builder";
import type { ReportingDatabase } from "./reporting-database";

/** Topic names of one test, so its consumers read only its own events. */
export function testTopics(): IngestTopics {
  const run = randomUUID().slice(0, 8);
  return {
    routing: `test.${run}.routing`,
    presence: `test.${run}.presence`,
    sessions: `test.${run}.sessions`,
    sites: `test.${run}.sites`,
  };
}

/** Publishes the log in its order, each topic's events in one batch (their relative order kept). */
export async function publish(producer: EventProducer, topics: IngestTopics, events: readonly LoggedEvent[]) {
  for (const kind of INGEST_KINDS)
    await producer.publish(
      topics[kind],
      events.filter((e) => e.kind === kind).map((e) => e.message),
    );
}

export interface RunningIngest {
  groupPrefix: string;
  consumers: IngestConsumers;
  lag: ConsumerLag;
}

/**
 * The real consumers and ingester of reporting, writing to `database`. From offset 0 (as a new
 * deployment), or from the topics' current end (`fromEnd`: a test on the shared topics, whose history
 * other tests keep growing, reads only what it produces).
 */
export async function startIngest(
  kafka: Kafka,
  topics: IngestTopics,
  database: ReportingDatabase,
  options: { meter?: Meter; fromEnd?: boolean; batchSize?: number } = {},
): Promise<RunningIngest> {
  const groupPrefix = `test.reporting.${randomUUID().slice(0, 8)}`;
  if (options.fromEnd) await startGroupsAtEnd(kafka, topics, groupPrefix);
  const lag = new ConsumerLag(options.meter);
  const consumers = await startIngestConsumers(kafka, {
    groupPrefix,
    topics,
    ingester: new EventIngester(database.pool, createLogger("reporting-test", "silent")),
    lag,
    batchSize: options.batchSize ?? 500,
  });
  await consumers.joined;
  return { groupPrefix, consumers, lag };
}

/** Waits until every group committed the end of its topic: each message was handled, duplicates too. */
export async function waitCaughtUp(
  admin: Admin,
  ingest: { groupPrefix: string },
  topics: IngestTopics,
  timeoutMs = 45_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let behind = 0;
    for (const kind of INGEST_KINDS) {
      const ends = await fetchTopicEnds(admin, topics[kind]);
      const [committed] = await admin.fetchOffsets({
        groupId: `${ingest.groupPrefix}.${kind}`,
        topics: [topics[kind]],
      });
      for (const end of ends) {
        const done = committed?.partitions.find((p) => p.partition === end.partition)?.offset ?? "-1";
        const doneOffset = Number(done) < 0 ? Number(end.low) : Number(done);
        behind += Number(end.high) - doneOffset;
      }
    }
    if (behind === 0) return;
    if (Date.now() > deadline) throw new Error(`ingest still ${behind} events behind after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
