import { TOPICS } from "@handoff/proto";
import { PresenceEvent } from "@handoff/proto/events";
import { OutboxEventLog } from "@handoff/testing";
import { keys } from "../../src/store/keys";

/** Presence's events on `handoff.presence.v1`, per site (the shared `OutboxEventLog`). */
export type PresenceEventLog = OutboxEventLog<PresenceEvent>;
export const PresenceEventLog = {
  start: (): Promise<PresenceEventLog> =>
    OutboxEventLog.start({
      topic: TOPICS.presence,
      decode: (value) => PresenceEvent.decode(value),
      outboxKey: keys.outbox,
    }),
};
