import { TOPIC_CONFIGS } from "@handoff/proto";
import { startBatchConsumer, type ReadinessCheck } from "@handoff/runtime";
import type { Kafka } from "kafkajs";
import type { EventIngester } from "../ingest/event-ingester";
import type { ConsumerLag } from "./consumer-lag";
import { INGEST_KINDS, type IngestTopics, type TopicKind } from "./ingest-topics";

export interface IngestConsumersOptions {
  /** Each topic gets its own group, `<prefix>.<kind>`, so one topic's backlog does not hold up another's. */
  groupPrefix: string;
  topics: IngestTopics;
  ingester: EventIngester;
  lag: ConsumerLag;
  /** The most events written in one transaction. */
  batchSize: number;
}

export interface IngestConsumers {
  /** Resolves when every consumer joined its group. */
  joined: Promise<void>;
  /** Ready once every consumer joined its group. */
  readiness: ReadinessCheck;
  disconnect(): Promise<void>;
}

/**
 * One consumer per topic, from offset 0 for a new group: a fresh database fills from the whole
 * history. Each fetched batch is written in transactions of at most `batchSize` events, and their
 * offsets are committed after the transaction, so a crash re-delivers and the ingester's dedupe
 * drops what was already written.
 */
export async function startIngestConsumers(kafka: Kafka, options: IngestConsumersOptions): Promise<IngestConsumers> {
  const joinedKinds = new Set<TopicKind>();
  const started = await Promise.allSettled(
    INGEST_KINDS.map(async (kind) => {
      const consumer = await startBatchConsumer(kafka, {
        groupId: `${options.groupPrefix}.${kind}`,
        topics: [options.topics[kind]],
        fromBeginning: true,
        topicConfigs: { [options.topics[kind]]: TOPIC_CONFIGS[kind] ?? {} },
        maxBatchSize: options.batchSize,
        handleBatch: async (messages) => {
          await options.ingester.ingestBatch(kind, messages);
        },
        committed: (topic, partition, lastOffset) => options.lag.processed(topic, partition, lastOffset),
      });
      options.lag.follow(consumer.consumer);
      void consumer.joined.then(() => joinedKinds.add(kind));
      return consumer;
    }),
  );
  const consumers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failure = started.find((s) => s.status === "rejected");
  if (failure) {
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    throw failure.reason;
  }
  return {
    joined: Promise.all(consumers.map((c) => c.joined)).then(() => undefined),
    readiness: { name: "consumers", check: () => Promise.resolve(joinedKinds.size === INGEST_KINDS.length) },
    disconnect: async () => {
      await Promise.all(consumers.map((c) => c.disconnect()));
    },
  };
}
