import { Partitioners, type Kafka, type Producer } from "kafkajs";
import { withCreationContext } from "./creation-context";
import { encodeEventHeaders, type EventHeaders } from "./headers";

export interface OutgoingEvent extends Omit<EventHeaders, "traceparent"> {
  /** Partition key: session id or rep id, so one aggregate's events stay in order. */
  key: string;
  value: Uint8Array;
  /**
   * The trace context the event was created in (an outbox entry's request); it reaches Kafka even
   * through the kafkajs instrumentation (`keepCreationContext`). Without it, the active context.
   */
  traceparent?: string;
}

export interface EventProducer {
  publish(topic: string, events: readonly OutgoingEvent[]): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * An idempotent producer (acks=all, one request in flight) so a retried send neither duplicates nor
 * reorders events of a partition. Keys go to partitions by murmur2, as in the Java client, so other
 * clients agree on where a session's or rep's events live.
 */
export async function createEventProducer(kafka: Kafka): Promise<EventProducer> {
  const producer: Producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  await producer.connect();
  return {
    async publish(topic, events) {
      if (events.length === 0) return;
      await producer.send({
        topic,
        acks: -1,
        messages: events.map(({ key, value, ...headers }) =>
          withCreationContext(
            {
              key,
              value: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
              headers: encodeEventHeaders(headers),
            },
            headers.traceparent ?? "",
          ),
        ),
      });
    },
    disconnect: () => producer.disconnect(),
  };
}
