import { RoutingEvent, SessionEvent } from "@handoff/proto/events";
import type { SessionHistory } from "../domain/session-timeline";
import type { IngestedEvent } from "../events/event-decoding";
import type { Tx } from "./transaction";

/** Routing and session event types that change a session's facts; the rest (chat, notes...) are only kept. */
export const SESSION_FACT_EVENT_TYPES: ReadonlySet<string> = new Set([
  "SessionQueued",
  "OfferCreated",
  "OfferAccepted",
  "OfferRejected",
  "OfferExpired",
  "OfferWithdrawn",
  "SessionAbandoned",
  "SessionTransferred",
  "SessionEnded",
  "WaitEstimated",
  "SessionCreated",
  "SessionClosed",
  "SurveySubmitted",
]);

/**
 * Bound on the events read to derive one session: a session has a handful of routing events per
 * offer; ten thousand means a loop somewhere, and its facts stop growing rather than the consumer.
 */
export const MAX_SESSION_FACT_EVENTS = 10_000;

/** `reporting.events`: every ingested event once, keyed by its source topic and id. */
export class EventLog {
  /** Stores the event; false when it was stored before (a redelivery or a replay over kept rows). */
  async append(tx: Tx, event: IngestedEvent): Promise<boolean> {
    const result = await tx.query(
      `insert into reporting.events
         (source, event_id, event_type, site_id, session_id, rep_id, occurred_at_ms, stream_ms, stream_seq, payload)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       on conflict do nothing`,
      [
        event.source,
        event.eventId,
        event.eventType,
        event.siteId,
        event.sessionId,
        event.repId,
        event.occurredAtMs,
        event.streamMs,
        event.streamSeq,
        event.json,
      ],
    );
    return result.rowCount === 1;
  }

  /** The session's fact-bearing events, each topic in its producer's order. */
  async sessionHistory(tx: Tx, siteId: string, sessionId: string): Promise<SessionHistory> {
    const { rows } = await tx.query<{ source: string; payload: unknown }>(
      `select source, payload from reporting.events
       where site_id = $1 and session_id = $2 and source in ('routing', 'sessions') and event_type = any($3)
       order by occurred_at_ms, stream_ms, stream_seq, event_id
       limit $4`,
      [siteId, sessionId, [...SESSION_FACT_EVENT_TYPES], MAX_SESSION_FACT_EVENTS],
    );
    const routing = rows.filter((r) => r.source === "routing").map((r) => RoutingEvent.fromJSON(r.payload));
    const sessions = rows
      .filter((r) => r.source === "sessions")
      .map((r) => SessionEvent.fromJSON(r.payload))
      .sort((a, b) => a.sequence - b.sequence);
    return { siteId, sessionId, routing, sessions };
  }
}
