import { TOPICS } from "@handoff/proto";
import { PresenceEvent } from "@handoff/proto/events";
import { startEventConsumer, type EventConsumer, type Logger } from "@handoff/runtime";
import type { Kafka } from "kafkajs";

/** What a rep's sockets hear of his presence: login, logout, state and capacity changes, dropped desktops. */
const FOR_THE_SOCKET = new Set([
  "repLoggedIn",
  "repLoggedOut",
  "repStateChanged",
  "repCapacitySet",
  "repConnectionDropped",
]);

/**
 * Follows `handoff.presence.v1` in a consumer group of this replica alone (every replica must see
 * every rep's changes, since any of them may hold his sockets), from the latest offset: a socket's
 * log is live news, not history. Events of reps without a socket here cost a decode and a map lookup.
 */
export function startRepPresenceEvents(
  kafka: Kafka,
  groupId: string,
  deliver: (event: PresenceEvent) => void,
  logger: Logger,
): Promise<EventConsumer> {
  return startEventConsumer(kafka, {
    groupId,
    topics: [TOPICS.presence],
    handle: (message) => {
      try {
        const event = PresenceEvent.decode(message.value);
        if (event.payload && FOR_THE_SOCKET.has(event.payload.$case)) deliver(event);
      } catch (error) {
        logger.warn({ err: error, offset: message.offset }, "socket: undecodable presence event skipped");
      }
      return Promise.resolve();
    },
  });
}
