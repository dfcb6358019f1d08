import { context, propagation } from "@opentelemetry/api";
import type { Consumer, Kafka } from "kafkajs";
import { decodeEventHeaders, type EventHeaders } from "./headers";

export interface ConsumedEvent {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: EventHeaders;
}

export interface EventConsumerOptions {
  groupId: string;
  topics: string[];
  /** @default false */
  fromBeginning?: boolean;
  /** Called once per message, in partition order, inside the producer's trace context. */
  handle(event: ConsumedEvent): Promise<void>;
}

export interface EventConsumer {
  consumer: Consumer;
  /** Resolves when this member first joined its group (from then on, new events reach it). */
  joined: Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Creates the topics that do not exist yet (with the broker's default partitions), so a consumer
 * may start before the first producer; where topics are managed by operators this finds them all.
 */
async function ensureTopics(kafka: Kafka, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({ topics: missing.map((topic) => ({ topic })), waitForLeaders: true });
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * Joins a consumer group and processes each message; an offset is committed only after `handle`
 * resolved, so a crash re-delivers (consumers dedupe by event id).
 */
export async function startEventConsumer(kafka: Kafka, options: EventConsumerOptions): Promise<EventConsumer> {
  await ensureTopics(kafka, options.topics);
  // A short long-poll: disconnect waits for the fetch in flight, and shutdown has a bound.
  // A shorter session than kafkajs's 30 s: after a crash the group stops waiting for the dead member
  // sooner, so a restarted replica rejoins quickly.
  const consumer = kafka.consumer({
    groupId: options.groupId,
    maxWaitTimeInMs: 1_000,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
  });
  const joined = new Promise<void>((resolve) => {
    const stop = consumer.on(consumer.events.GROUP_JOIN, () => {
      stop();
      resolve();
    });
  });
  await consumer.connect();
  await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? false });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const headers = decodeEventHeaders(message.headers);
      const parent = propagation.extract(context.active(), { traceparent: headers.traceparent });
      await context.with(parent, () =>
        options.handle({
          topic,
          partition,
          offset: message.offset,
          key: message.key?.toString() ?? "",
          value: message.value ?? Buffer.alloc(0),
          headers,
        }),
      );
    },
  });
  return { consumer, joined, disconnect: () => consumer.disconnect() };
}
