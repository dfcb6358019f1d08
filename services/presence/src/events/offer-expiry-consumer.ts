import { TOPICS } from "@handoff/proto";
import { RoutingEvent } from "@handoff/proto/events";
import { startEventConsumer, type EventConsumer, type Logger } from "@handoff/runtime";
import type { Kafka } from "kafkajs";
import { RepNotLoggedInError, RepUnknownError } from "../domain/errors";
import type { PresenceCommands } from "../presence-commands";

/**
 * Follows the acd's routing events and marks reps whose offer expired as not responding. Replays are
 * harmless: marking him again only bumps his version.
 */
export function followOfferExpiries(kafka: Kafka, commands: PresenceCommands, logger: Logger): Promise<EventConsumer> {
  return startEventConsumer(kafka, {
    groupId: "presence.offer-expiry",
    topics: [TOPICS.routing],
    handle: async (message) => {
      if (message.headers.eventType !== "OfferExpired") return;
      const event = RoutingEvent.decode(message.value);
      if (event.payload?.$case !== "offerExpired") return;
      const repId = event.payload.offerExpired.repId;
      try {
        await commands.offerExpired(event.siteId, repId);
      } catch (error) {
        // A rep presence does not know (never logged in here, or logged out since) has nothing to mark.
        if (error instanceof RepUnknownError || error instanceof RepNotLoggedInError)
          return logger.debug({ site: event.siteId, repId }, "offer expired for a rep presence does not hold");
        logger.warn({ err: error, site: event.siteId, repId }, "could not mark rep not-responding");
      }
    },
  });
}
