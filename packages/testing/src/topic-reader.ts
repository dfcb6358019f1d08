import { randomUUID } from "node:crypto";
import { createKafka, createLogger, decodeEventHeaders, fetchTopicEnds } from "@handoff/runtime";
import type { Kafka } from "kafkajs";

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string;
  eventId: string;
  eventType: string;
  /** The W3C trace context the producer put on the message; empty without one. */
  traceparent: string;
  value: Buffer;
}

/** Reads one topic from given offsets with a consumer group of its own, for tests. */
export class TopicReader {
  private readonly kafka: Kafka;

  constructor(
    brokers: string,
    private readonly topic: string,
  ) {
    // The runtime's client: kafkajs with its request-queue timer fixed, logging errors only.
    this.kafka = createKafka({
      clientId: `test-reader-${randomUUID()}`,
      brokers: brokers.split(","),
      logger: createLogger("topic-reader", "error"),
    });
  }

  /** The end of every partition now: what is produced from here on is read by `readFrom(ends)`. */
  async ends(): Promise<Map<number, string>> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      if (!(await admin.listTopics()).includes(this.topic))
        await admin.createTopics({ topics: [{ topic: this.topic }], waitForLeaders: true });
      const offsets = await fetchTopicEnds(admin, this.topic);
      return new Map(offsets.map((o) => [o.partition, o.high]));
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Every message after `from` (partitions not listed are read from their beginning) until `done`
   * says so or `timeoutMs` passed; returns what was read, in each partition's order.
   */
  async readFrom(
    from: Map<number, string>,
    done: (messages: readonly ReadMessage[]) => boolean,
    timeoutMs: number,
  ): Promise<ReadMessage[]> {
    const consumer = this.kafka.consumer({ groupId: `test-reader-${randomUUID()}`, maxWaitTimeInMs: 200 });
    const messages: ReadMessage[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [this.topic], fromBeginning: true });
      let finished: () => void = () => undefined;
      const complete = new Promise<void>((resolve) => (finished = resolve));
      await consumer.run({
        eachMessage: ({ partition, message }) => {
          const headers = decodeEventHeaders(message.headers);
          messages.push({
            partition,
            offset: message.offset,
            key: message.key?.toString() ?? "",
            eventId: headers.eventId,
            eventType: headers.eventType,
            traceparent: headers.traceparent,
            value: message.value ?? Buffer.alloc(0),
          });
          if (done(messages)) finished();
          return Promise.resolve();
        },
      });
      for (const [partition, offset] of from) consumer.seek({ topic: this.topic, partition, offset });
      await Promise.race([complete, new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
      return messages;
    } finally {
      await consumer.disconnect();
    }
  }
}
