import { RoutingEvent, SessionEvent } from "@handoff/proto/events";
import type { PgPool } from "@handoff/runtime";
import type { SessionHistory } from "../domain/session-timeline";

/**
 * Bound on the events one session report reads: a long chat is a few thousand events; past this the
 * report says it is truncated rather than reading without end.
 */
export const MAX_REPORT_EVENTS = 20_000;

export interface StoredSessionHistory {
  history: SessionHistory;
  /** More events are stored than the report read. */
  truncated: boolean;
}

/** Every stored acd and broker event of one session, for its report. */
export class SessionHistoryReader {
  constructor(private readonly pool: PgPool) {}

  /** The session's events in the event log's order; null when the site has none (unknown, or another site's). */
  async read(siteId: string, sessionId: string): Promise<StoredSessionHistory | null> {
    const { rows } = await this.pool.query<{ source: string; payload: unknown }>(
      `select source, payload from reporting.events
       where site_id = $1 and session_id = $2 and source in ('routing', 'sessions')
       order by occurred_at_ms, stream_ms, stream_seq, event_id
       limit $3`,
      [siteId, sessionId, MAX_REPORT_EVENTS + 1],
    );
    if (rows.length === 0) return null;
    const kept = rows.slice(0, MAX_REPORT_EVENTS);
    const routing = kept.filter((r) => r.source === "routing").map((r) => RoutingEvent.fromJSON(r.payload));
    const sessions = kept
      .filter((r) => r.source === "sessions")
      .map((r) => SessionEvent.fromJSON(r.payload))
      .sort((a, b) => a.sequence - b.sequence);
    return { history: { siteId, sessionId, routing, sessions }, truncated: rows.length > MAX_REPORT_EVENTS };
  }
}
