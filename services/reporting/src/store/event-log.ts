import { RoutingEvent, SessionEvent } from "@handoff/proto/events";
import type { SessionHistory } from "../domain/session-timeline";
import type { IngestedEvent } from "../events/event-decoding";
import type { Tx } from "./transaction";

/**
 * Routing and session event types that change a session's facts; the rest (chat, notes...) are only
 * kept. Every case deriveSessionFacts reads must be here: an event left out is neither read into a
 * history nor makes its session be derived again.
 */
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
  "SessionAssigned",
  "SessionClosed",
  "SurveySubmitted",
]);

/**
 * Bound on the events read to derive one session: a session has a handful of routing events per
 * offer; ten thousand means a loop somewhere, and its facts stop growing rather than the consumer.
 */
export const MAX_SESSION_FACT_EVENTS = 10_000;

/** A session of a site: the unit whose facts are derived together. */
export interface SessionKey {
  siteId: string;
  sessionId: string;
}

/** `reporting.events`: every ingested event once, keyed by its source topic and id. */
export class EventLog {
  /**
   * Stores the events in one statement and returns those that were new: an event stored before (a
   * redelivery or a replay over kept rows), or twice in `events`, is returned once at most.
   */
  async append(tx: Tx, events: readonly IngestedEvent[]): Promise<IngestedEvent[]> {
    if (events.length === 0) return [];
    const byKey = new Map(events.map((e) => [`${e.source}/${e.eventId}`, e]));
    const rows = [...byKey.values()].map((e) => ({
      source: e.source,
      event_id: e.eventId,
      event_type: e.eventType,
      site_id: e.siteId,
      session_id: e.sessionId,
      rep_id: e.repId,
      occurred_at_ms: e.occurredAtMs,
      stream_ms: e.streamMs,
      stream_seq: e.streamSeq,
      payload: e.json,
    }));
    const inserted = await tx.query<{ source: string; event_id: string }>(
      `insert into reporting.events
         select * from jsonb_populate_recordset(null::reporting.events, $1::jsonb)
       on conflict do nothing
       returning source, event_id`,
      [JSON.stringify(rows)],
    );
    return inserted.rows.map((r) => byKey.get(`${r.source}/${r.event_id}`)!);
  }

  /**
   * Each session's fact-bearing events, each topic in its producer's order (at most
   * MAX_SESSION_FACT_EVENTS). `session_id <> ''` lets the planner use the partial index
   * events_by_session: it cannot prove that for a session id that comes from unnest.
   */
  async sessionHistories(tx: Tx, sessions: readonly SessionKey[]): Promise<SessionHistory[]> {
    if (sessions.length === 0) return [];
    const { rows } = await tx.query<{ site_id: string; session_id: string; source: string; payload: unknown }>(
      `select s.site_id, s.session_id, e.source, e.payload
       from unnest($1::text[], $2::text[]) as s(site_id, session_id)
       cross join lateral (
         select source, payload from reporting.events
         where site_id = s.site_id and session_id = s.session_id and session_id <> ''
           and source in ('routing', 'sessions')
           and event_type = any($3)
         order by occurred_at_ms, stream_ms, stream_seq, event_id
         limit $4
       ) e`,
      [
        sessions.map((s) => s.siteId),
        sessions.map((s) => s.sessionId),
        [...SESSION_FACT_EVENT_TYPES],
        MAX_SESSION_FACT_EVENTS,
      ],
    );
    const histories = new Map(
      sessions.map((s) => [
        `${s.siteId}/${s.sessionId}`,
        { ...s, routing: [] as RoutingEvent[], sessions: [] as SessionEvent[] },
      ]),
    );
    for (const row of rows) {
      const history = histories.get(`${row.site_id}/${row.session_id}`)!;
      if (row.source === "routing") history.routing.push(RoutingEvent.fromJSON(row.payload));
      else history.sessions.push(SessionEvent.fromJSON(row.payload));
    }
    for (const history of histories.values()) history.sessions.sort((a, b) => a.sequence - b.sequence);
    return [...histories.values()];
  }

  /**
   * Takes the transaction-scoped lock of each session, in one order for every caller (by lock key), so
   * two consumers whose batches share sessions wait for each other instead of deadlocking. The
   * subquery's ORDER BY keeps it from being flattened, so the locks are taken in that order.
   */
  async lockSessions(tx: Tx, sessions: readonly SessionKey[]): Promise<void> {
    if (sessions.length === 0) return;
    await tx.query(
      `select pg_advisory_xact_lock(hashtext('reporting.session'), k)
       from (select distinct hashtext(s) as k from unnest($1::text[]) as s order by k) as keys`,
      [sessions.map((s) => `${s.siteId}/${s.sessionId}`)],
    );
  }
}
