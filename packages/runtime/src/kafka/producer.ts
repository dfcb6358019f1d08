import { Partitioners, type ICustomPartitioner, type Kafka, type Message, type Producer } from "kafkajs";
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
  /** Resolves once Kafka acknowledged every event (acks=all); rejects when it could not. */
  publish(topic: string, events: readonly OutgoingEvent[]): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Sends of one batch before `publish` gives up on the events Kafka has still not acknowledged. Each
 * send has kafkajs's own retries; another one is needed only when a partition's leader moved during
 * the previous one, so more than two means leaders keep moving.
 */
const MAX_SEND_ROUNDS = 5;

/** The partition kafkajs's partitioner chose for each message of a send (its latest attempt's). */
const partitionOfMessage = new WeakMap<Message, number>();

/** kafkajs's default partitioner (murmur2 of the key, as in the Java client), recording its choice. */
const recordingPartitioner: ICustomPartitioner = () => {
  const choose = Partitioners.DefaultPartitioner();
  return (args) => {
    const partition = choose(args);
    partitionOfMessage.set(args.message, partition);
    return partition;
  };
};

/** `publish` gave up: Kafka acknowledged only part of the batch. The caller sends the batch again. */
class KafkaSendIncompleteError extends Error {
  constructor(topic: string, unacknowledged: number, total: number) {
    super(
      `Kafka acknowledged ${total - unacknowledged} of ${total} events to ${topic} after ${MAX_SEND_ROUNDS} sends ` +
        "(partition leaders kept moving); the batch is to be sent again",
    );
    this.name = "KafkaSendIncompleteError";
  }
}

/**
 * The messages of a send that no partition of its answer covers. kafkajs 2.2.4 (the last release)
 * remembers, across the retries of one send, which brokers answered, and does not send to them again;
 * when a broker dies mid-send and its partitions move to a broker that had already answered for its
 * own, the moved partitions' messages are never sent, yet the send resolves (sendMessages.js,
 * `brokersWithoutResponse`). A Kafka node killed under load lost events of the broker's outbox this
 * way, each marked published.
 */
function unacknowledged(messages: readonly Message[], answered: readonly { partition: number }[]): Message[] {
  const acknowledged = new Set(answered.map((answer) => answer.partition));
  return messages.filter((message) => {
    const partition = partitionOfMessage.get(message);
    if (partition === undefined) throw new Error("kafkajs sent a message its partitioner never saw");
    return !acknowledged.has(partition);
  });
}

/** kafkajs's idempotent producer with this module's partitioner: acks=all, one request in flight. */
function newProducer(kafka: Kafka): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
    createPartitioner: recordingPartitioner,
  });
}

/** Sends `messages` until Kafka acknowledged every one of them, in at most MAX_SEND_ROUNDS sends. */
async function sendAll(producer: Producer, topic: string, messages: readonly Message[]): Promise<void> {
  let pending = messages;
  for (let round = 1; pending.length > 0; round++) {
    if (round > MAX_SEND_ROUNDS) throw new KafkaSendIncompleteError(topic, pending.length, messages.length);
    const sent = pending.length;
    // A partition's messages are all acknowledged or all left: sending exactly the left ones again keeps
    // each partition in order, and the broker drops them as duplicates if a dead leader had written them.
    pending = unacknowledged(pending, await producer.send({ topic, acks: -1, messages: [...pending] }));
    if (pending.length > 0)
      producer
        .logger()
        .warn("Kafka acknowledged only part of a send (a partition leader moved during it); sending the rest again", {
          topic,
          sent,
          unacknowledged: pending.length,
          round,
        });
  }
}

/**
 * An idempotent producer (acks=all, one request in flight) so a retried send neither duplicates nor
 * reorders events of a partition. Keys go to partitions by murmur2, as in the Java client, so other
 * clients agree on where a session's or rep's events live.
 *
 * A send that fails (kafkajs gave up retrying, say while a Kafka node was down) leaves kafkajs's
 * sequence numbers unsure: the dead leader may have written a batch whose answer never came, and a
 * follower that took over has it. Sending another batch from that sequence is then answered
 * OUT_OF_ORDER_SEQUENCE_NUMBER, for ever (kafkajs never renews its producer id), and the outbox relays
 * stopped for good after a Kafka node was killed. So a failed send's producer is replaced: the new one
 * gets a producer id of its own, and the caller's next send of the batch duplicates at most what the
 * old one wrote (consumers drop duplicates by event id).
 */
export async function createEventProducer(kafka: Kafka): Promise<EventProducer> {
  let producer: Producer | undefined = newProducer(kafka);
  await producer.connect();
  let connecting: Promise<Producer> | undefined;
  const connected = (): Promise<Producer> => {
    if (producer) return Promise.resolve(producer);
    connecting ??= (async () => {
      const fresh = newProducer(kafka);
      try {
        await fresh.connect();
      } catch (error) {
        await fresh.disconnect().catch(() => undefined);
        throw error;
      } finally {
        connecting = undefined;
      }
      producer = fresh;
      return fresh;
    })();
    return connecting;
  };
  return {
    async publish(topic, events) {
      if (events.length === 0) return;
      const messages: Message[] = events.map(({ key, value, ...headers }) =>
        withCreationContext(
          {
            key,
            value: Buffer.from(value.buffer, value.byteOffset, value.byteLength),
            headers: encodeEventHeaders(headers),
          },
          headers.traceparent ?? "",
        ),
      );
      const used = await connected();
      try {
        await sendAll(used, topic, messages);
      } catch (error) {
        if (producer === used) {
          producer = undefined;
          used.logger().warn("a send failed: the producer is replaced by one with a new producer id", { topic });
          await used.disconnect().catch(() => undefined);
        }
        throw error;
      }
    },
    disconnect: async () => {
      await connecting?.catch(() => undefined);
      const current = producer;
      producer = undefined;
      await current?.disconnect();
    },
  };
}
