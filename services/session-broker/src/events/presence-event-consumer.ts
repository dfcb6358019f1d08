import { TOPICS } from "@handoff/proto";
import { RepState } from "@handoff/proto/common";
import { PresenceEvent } from "@handoff/proto/events";
import { startEventConsumer, type EventConsumer, type Logger } from "@handoff/runtime";
import type { Kafka } from "kafkajs";
import type { RepDisconnects, RepPresenceFact } from "../commands/rep-disconnects";

/** The dedupe name of applied events: shared by every deployment writing the same database. */
const CONSUMER = "session-broker.presence";

/**
 * Follows `handoff.presence.v1` for reps who lose or regain their desktop connection. A drop that
 * leaves no live connection flags the rep's active sessions; a login, a state change other than
 * offline, or a drop that leaves another connection live may mean he is back. Each effect commits
 * with its event's processed mark (dedupe by event id); events without effect write nothing.
 */
export class PresenceEventConsumer {
  constructor(
    private readonly disconnects: RepDisconnects,
    private readonly logger: Logger,
  ) {}

  start(kafka: Kafka, groupPrefix: string): Promise<EventConsumer> {
    return startEventConsumer(kafka, {
      groupId: `${groupPrefix}.presence`,
      topics: [TOPICS.presence],
      handle: async (message) => {
        let event: PresenceEvent;
        try {
          event = PresenceEvent.decode(message.value);
        } catch (error) {
          this.logger.warn({ err: error, offset: message.offset }, "undecodable presence event skipped");
          return;
        }
        await this.apply(event);
      },
    });
  }

  async apply(event: PresenceEvent): Promise<void> {
    if (!event.siteId || !event.repId || !event.eventId || !event.payload) return;
    const fact: RepPresenceFact = {
      eventId: event.eventId,
      siteId: event.siteId,
      repId: event.repId,
      occurredAtMs: event.occurredAtMs,
    };
    const { payload } = event;
    switch (payload.$case) {
      case "repConnectionDropped":
        if (payload.repConnectionDropped.liveConnections === 0) await this.disconnects.connectionLost(CONSUMER, fact);
        else await this.disconnects.maybeBack(CONSUMER, fact, true);
        return;
      case "repLoggedIn":
        await this.disconnects.maybeBack(CONSUMER, fact, false);
        return;
      case "repStateChanged":
        if (payload.repStateChanged.state !== RepState.REP_STATE_OFFLINE)
          await this.disconnects.maybeBack(CONSUMER, fact, false);
        return;
      default:
        return;
    }
  }
}
