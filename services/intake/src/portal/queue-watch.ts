import { TOPICS } from "@handoff/proto";
import { RoutingEvent } from "@handoff/proto/events";
import { startEventConsumer, type EventConsumer, type Logger } from "@handoff/runtime";
import type { Kafka } from "kafkajs";
import { queueChangeOf, sessionQueuesAfter, type QueueChange, type QueueKey } from "./queue-changes";

/** Sessions whose queues are remembered; beyond it the oldest are forgotten (their events change the whole site). */
const MAX_REMEMBERED_SESSIONS = 100_000;

/**
 * The acd's routing events (`handoff.routing.v1`) as queue changes, for this replica's waiting
 * customers: one consumer group per replica (every replica must hear every queue, since any of them
 * may hold a customer's stream), from the latest offset (a position is news, not history). It
 * remembers which queues each session sits in, so an event that does not name its queue (an
 * abandon, a rejected offer) still changes only those.
 */
export class QueueWatch {
  private readonly sessionQueues = new Map<string, readonly QueueKey[]>();
  private consumer: EventConsumer | undefined;

  constructor(
    private readonly onChange: (change: QueueChange) => void,
    private readonly logger: Logger,
  ) {}

  /** Starts following; the answer resolves once the group is joined (events from then on reach `onChange`). */
  async start(kafka: Kafka, groupId: string): Promise<{ joined: Promise<void> }> {
    this.consumer = await startEventConsumer(kafka, {
      groupId,
      topics: [TOPICS.routing],
      handle: (message) => {
        try {
          this.apply(RoutingEvent.decode(message.value));
        } catch (error) {
          this.logger.warn({ err: error, offset: message.offset }, "queue watch: undecodable routing event skipped");
        }
        return Promise.resolve();
      },
    });
    return { joined: this.consumer.joined };
  }

  /** One event: its change goes out, then the session's queues are updated for later events. */
  apply(event: RoutingEvent): void {
    const key = `${event.siteId}\n${event.sessionId}`;
    const change = queueChangeOf(event, (siteId, sessionId) => this.sessionQueues.get(`${siteId}\n${sessionId}`));
    const after = sessionQueuesAfter(event, this.sessionQueues.get(key));
    if (after !== undefined) {
      this.sessionQueues.delete(key);
      if (after.length > 0) this.sessionQueues.set(key, after);
      if (this.sessionQueues.size > MAX_REMEMBERED_SESSIONS)
        this.sessionQueues.delete(this.sessionQueues.keys().next().value!);
    }
    if (change) this.onChange(change);
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
