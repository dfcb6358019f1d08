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
  disconnect(): Promise<void>;
}

/**
 * Joins a consumer group and processes each message; an offset is committed only after `handle`
 * resolved, so a crash re-delivers (consumers dedupe by event id).
 */
export async function startEventConsumer(kafka: Kafka, options: EventConsumerOptions): Promise<EventConsumer> {
  const consumer = kafka.consumer({ groupId: options.groupId });
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
  return { consumer, disconnect: () => consumer.disconnect() };
}
