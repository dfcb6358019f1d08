import { PresenceEvent } from "@handoff/proto/events";
import type { RepProfileChange } from "../../src/domain/fairness";
import { repFactOf } from "../../src/domain/rep-facts";
import type { RepStateChange } from "../../src/domain/rep-timeline";
import type { SessionFacts } from "../../src/domain/session-facts";
import { deriveSessionFacts } from "../../src/domain/session-timeline";
import type { LoggedEvent } from "./event-log-builder";
import { sessionHistories } from "./session-histories";

export interface DayFacts {
  sessions: SessionFacts[];
  stateChanges: RepStateChange[];
  profiles: RepProfileChange[];
}

/** The fact rows of a log, as the ingester derives them. */
export function factsOf(siteId: string, events: readonly LoggedEvent[]): DayFacts {
  const sessions = [...sessionHistories(siteId, events).values()].map(deriveSessionFacts);
  const stateChanges: RepStateChange[] = [];
  const profiles: RepProfileChange[] = [];
  for (const { kind, message } of events) {
    if (kind !== "presence") continue;
    const event = PresenceEvent.decode(message.value);
    const fact = repFactOf(event);
    if (fact?.kind === "state") stateChanges.push({ ...fact.row, repId: event.repId });
    if (fact?.kind === "profile") profiles.push({ ...fact.row, repId: event.repId });
  }
  return { sessions, stateChanges, profiles };
}
