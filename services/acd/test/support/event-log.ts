import { TOPICS } from "@handoff/proto";
import { RoutingEvent } from "@handoff/proto/events";
import { OutboxEventLog, type LoggedOutboxEvent } from "@handoff/testing";
import { keys } from "../../src/store/keys";

/** One routing event as a consumer sees it. */
export type LoggedRoutingEvent = LoggedOutboxEvent<RoutingEvent>;

/** The acd's routing events on `handoff.routing.v1`, per site (the shared `OutboxEventLog`). */
export type RoutingEventLog = OutboxEventLog<RoutingEvent>;
export const RoutingEventLog = {
  start: (): Promise<RoutingEventLog> =>
    OutboxEventLog.start({
      topic: TOPICS.routing,
      decode: (value) => RoutingEvent.decode(value),
      outboxKey: keys.outbox,
    }),
};
