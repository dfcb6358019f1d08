import { SessionEvent } from "@handoff/proto/events";
import type pg from "pg";

export interface SessionHistory {
  sessionId: string;
  state: string;
  committedEpoch: number;
  events: SessionEvent[];
}

/** Every session of a site with its whole history, from PostgreSQL. */
export async function siteHistories(db: pg.Pool, siteId: string): Promise<SessionHistory[]> {
  const sessions = await db.query<{ session_id: string; state: string; committed_epoch: string }>(
    "select session_id, state, committed_epoch from sessions where site_id = $1 order by session_id",
    [siteId],
  );
  const events = await db.query<{ session_id: string; payload: Buffer }>(
    "select session_id, payload from session_events where site_id = $1 order by session_id, sequence",
    [siteId],
  );
  const bySession = new Map<string, SessionEvent[]>();
  for (const row of events.rows)
    bySession.set(row.session_id, [...(bySession.get(row.session_id) ?? []), SessionEvent.decode(row.payload)]);
  return sessions.rows.map((r) => ({
    sessionId: r.session_id,
    state: r.state,
    committedEpoch: Number(r.committed_epoch),
    events: bySession.get(r.session_id) ?? [],
  }));
}

/**
 * The rules a session's history must keep whatever happened to Redis or to a replica; returns what
 * is broken (empty when none):
 * - sequences run from 1 without gaps;
 * - it is closed exactly once, and nothing follows the close;
 * - at most one SessionAssigned per epoch, epochs growing, and the row's committed epoch is the last;
 * - never assigned to a second rep before the first assignment ended (a SessionWaiting or the close).
 */
export function historyViolations(history: SessionHistory): string[] {
  const broken: string[] = [];
  const say = (what: string) => broken.push(`${history.sessionId}: ${what}`);
  history.events.forEach((event, i) => {
    if (event.sequence !== i + 1) say(`event ${i} has sequence ${event.sequence}`);
  });
  const closes = history.events.filter((e) => e.payload?.$case === "sessionClosed");
  if (closes.length !== 1) say(`closed ${closes.length} times`);
  if (history.events[history.events.length - 1]?.payload?.$case !== "sessionClosed") say("events after the close");
  let holder: string | undefined;
  let lastEpoch = 0;
  for (const event of history.events) {
    const payload = event.payload;
    if (payload?.$case === "sessionAssigned") {
      if (holder !== undefined) say(`assigned to ${payload.sessionAssigned.repId} while ${holder} held it`);
      if (payload.sessionAssigned.epoch <= lastEpoch)
        say(`assignment epoch ${payload.sessionAssigned.epoch} after ${lastEpoch}`);
      holder = payload.sessionAssigned.repId;
      lastEpoch = payload.sessionAssigned.epoch;
    } else if (payload?.$case === "sessionWaiting" || payload?.$case === "sessionClosed") {
      holder = undefined;
    }
  }
  if (history.committedEpoch !== lastEpoch)
    say(`committed epoch ${history.committedEpoch}, last assigned ${lastEpoch}`);
  return broken;
}

/** The sessions of a site that are not closed, as PostgreSQL and the acd see them (for a failure's message). */
export async function openSessions(
  db: pg.Pool,
  siteId: string,
  acdRouting: (ids: string[]) => Promise<Map<string, unknown>>,
): Promise<string> {
  const { rows } = await db.query<{ session_id: string; state: string; rep_id: string | null; epoch: string }>(
    `select session_id, state, rep_id, epoch from sessions where site_id = $1 and state not in ('ended', 'abandoned')`,
    [siteId],
  );
  const routing = rows.length > 0 ? await acdRouting(rows.map((r) => r.session_id)) : new Map<string, unknown>();
  return JSON.stringify(rows.map((r) => ({ ...r, acd: routing.get(r.session_id) })));
}
