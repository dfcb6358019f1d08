import { context, propagation } from "@opentelemetry/api";
import type { Consumer, Kafka, KafkaMessage } from "kafkajs";
import { decodeEventHeaders, type EventHeaders } from "./headers";
import { waitForTopicLeaders, whileTopicsSettle } from "./topic-leaders";

export interface ConsumedEvent {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: EventHeaders;
  /** The message's Kafka timestamp (the producer's create time unless the topic says otherwise), in ms. */
  timestampMs?: number;
}

export interface EventConsumerOptions {
  groupId: string;
  topics: string[];
  /** @default false */
  fromBeginning?: boolean;
  /** Settings of a topic this creates (`cleanup.policy`...), by topic name; the broker's defaults otherwise. */
  topicConfigs?: Readonly<Record<string, Readonly<Record<string, string>>>>;
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
 * Creates the topics that do not exist yet (with the broker's default partitions and the given
 * settings), so a consumer may start before the first producer; where topics are managed by operators
 * this finds them all. A topic that exists keeps its settings.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: readonly string[],
  configs: Readonly<Record<string, Readonly<Record<string, string>>>> = {},
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      const configEntries = (topic: string) =>
        Object.entries(configs[topic] ?? {}).map(([name, value]) => ({ name, value }));
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, configEntries: configEntries(topic) })),
        waitForLeaders: false,
      });
    }
    // Also those another service created a moment ago: their metadata may not have reached every broker.
    await waitForTopicLeaders(admin, topics);
  } finally {
    await admin.disconnect();
  }
}

/** A consumer of `groupId` subscribed to `topics`, connected, not yet running. */
async function subscribedConsumer(
  kafka: Kafka,
  options: Pick<EventConsumerOptions, "groupId" | "topics" | "fromBeginning" | "topicConfigs">,
): Promise<{ consumer: Consumer; joined: Promise<void> }> {
  await ensureTopics(kafka, options.topics, options.topicConfigs);
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
  await whileTopicsSettle(`subscribing to ${options.topics.join(", ")}`, () =>
    consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? false }),
  );
  return { consumer, joined };
}

const consumedEvent = (topic: string, partition: number, message: KafkaMessage): ConsumedEvent => ({
  topic,
  partition,
  offset: message.offset,
  key: message.key?.toString() ?? "",
  value: message.value ?? Buffer.alloc(0),
  headers: decodeEventHeaders(message.headers),
  timestampMs: Number(message.timestamp) || undefined,
});

/**
 * Joins a consumer group and processes each message; an offset is committed only after `handle`
 * resolved, so a crash re-delivers (consumers dedupe by event id).
 */
export async function startEventConsumer(kafka: Kafka, options: EventConsumerOptions): Promise<EventConsumer> {
  const { consumer, joined } = await subscribedConsumer(kafka, options);
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const event = consumedEvent(topic, partition, message);
      const parent = propagation.extract(context.active(), { traceparent: event.headers.traceparent });
      await context.with(parent, () => options.handle(event));
    },
  });
  return { consumer, joined, disconnect: () => consumer.disconnect() };
}

export interface BatchConsumerOptions extends Omit<EventConsumerOptions, "handle"> {
  /** The most events one `handleBatch` call gets. */
  maxBatchSize: number;
  /**
   * Called with up to `maxBatchSize` consecutive events of one partition, in order. Their offsets are
   * committed once it resolved; when it throws, nothing of the call is committed and kafkajs retries.
   */
  handleBatch(events: ConsumedEvent[]): Promise<void>;
  /** Called after a batch's offsets were committed. */
  committed?(topic: string, partition: number, lastOffset: string): void;
}

/**
 * Joins a consumer group and processes what each fetch returned in slices of at most
 * `maxBatchSize`: one `handleBatch` call, then that slice's offset commit, then the next slice. A
 * crash re-delivers at most the slice in progress (consumers dedupe by event id). The events of a
 * slice come from many producers, so no one trace context applies: each event keeps its
 * `traceparent` in its headers.
 */
export async function startBatchConsumer(kafka: Kafka, options: BatchConsumerOptions): Promise<EventConsumer> {
  const { consumer, joined } = await subscribedConsumer(kafka, options);
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const { topic, partition, messages } = payload.batch;
      const going = () => payload.isRunning() && !payload.isStale();
      for (let start = 0; start < messages.length && going(); start += options.maxBatchSize) {
        const slice = messages.slice(start, start + options.maxBatchSize);
        await options.handleBatch(slice.map((message) => consumedEvent(topic, partition, message)));
        const lastOffset = slice[slice.length - 1]!.offset;
        payload.resolveOffset(lastOffset);
        await payload.commitOffsetsIfNecessary({
          topics: [{ topic, partitions: [{ partition, offset: String(BigInt(lastOffset) + 1n) }] }],
        });
        options.committed?.(topic, partition, lastOffset);
        await payload.heartbeat();
      }
    },
  });
  return { consumer, joined, disconnect: () => consumer.disconnect() };
}
