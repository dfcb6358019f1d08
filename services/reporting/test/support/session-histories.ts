import { RoutingEvent, SessionEvent } from "@handoff/proto/events";
import { streamOrder } from "../../src/domain/event-order";
import type { SessionHistory } from "../../src/domain/session-timeline";
import type { LoggedEvent } from "./event-log-builder";

/** The session histories of a log, ordered as the event log table orders them. */
export function sessionHistories(siteId: string, events: readonly LoggedEvent[]): Map<string, SessionHistory> {
  const histories = new Map<string, SessionHistory & { routing: RoutingEvent[]; sessions: SessionEvent[] }>();
  const historyOf = (sessionId: string) => {
    let history = histories.get(sessionId);
    if (!history) histories.set(sessionId, (history = { siteId, sessionId, routing: [], sessions: [] }));
    return history;
  };
  for (const { kind, message } of events) {
    if (kind === "routing") {
      const event = RoutingEvent.decode(message.value);
      if (event.sessionId) historyOf(event.sessionId).routing.push(event);
    } else if (kind === "sessions") {
      const event = SessionEvent.decode(message.value);
      historyOf(event.sessionId).sessions.push(event);
    }
  }
  for (const history of histories.values()) {
    history.routing.sort((a, b) => {
      const [x, y] = [streamOrder(a.eventId), streamOrder(b.eventId)];
      return a.occurredAtMs - b.occurredAtMs || x.streamMs - y.streamMs || x.streamSeq - y.streamSeq;
    });
    history.sessions.sort((a, b) => a.sequence - b.sequence);
  }
  return histories;
}
