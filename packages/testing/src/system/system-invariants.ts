import { createPgPool } from "@handoff/runtime";
import type { ContactCenter } from "./contact-center";
import { compareSessionTopic } from "./session-topic-check";

/** One session as the broker's PostgreSQL (the durable truth) holds it. */
export interface BrokerSessionRow {
  sessionId: string;
  state: string;
  repId: string | null;
  enqueuedAtMs: number;
  endedAtMs: number | null;
  /** When the accepted (committed) offer was made; null if none was accepted. */
  answeredOfferAtMs: number | null;
  /** When the first offer was made. */
  firstOfferAtMs: number | null;
  /** `sessionClosed` events in its history. */
  closedEvents: number;
  /** `sessionAssigned` events in its history. */
  assignedEvents: number;
  /** Reps who ever took part (a participant leaves as primary no more, so the rows are counted). */
  participants: number;
  /** Event ids of its history. */
  eventIds: string[];
}

export interface InvariantReport {
  /** Every violated invariant, one line each; empty when all hold. */
  violations: string[];
  /** Each invariant checked, with its count (for a report). */
  checked: string[];
  rows: BrokerSessionRow[];
  /** Kafka's copies of the sessions' events: total read, and duplicates the consumers' dedupe drops. */
  kafka: { read: number; duplicates: number; distinct: number };
}

/** A count over the broker's tables for one site. */
async function countForSite(databaseUrl: string, sql: string, siteId: string): Promise<number> {
  const pool = createPgPool(databaseUrl, 1);
  try {
    const { rows } = await pool.query<{ n: string }>(sql, [siteId]);
    return Number(rows[0]?.n ?? 0);
  } finally {
    await pool.end();
  }
}

/** Sessions of the site PostgreSQL holds as not yet ended (created, waiting, offered, active). */
export const countLiveSessions = (databaseUrl: string, siteId: string): Promise<number> =>
  countForSite(
    databaseUrl,
    "select count(*) as n from sessions where site_id = $1 and state in ('created', 'waiting', 'offered', 'active')",
    siteId,
  );

/** Events of the site's sessions in the broker's outbox not yet relayed to Kafka. */
export const countUnrelayed = (databaseUrl: string, siteId: string): Promise<number> =>
  countForSite(
    databaseUrl,
    "select count(*) as n from session_outbox where site_id = $1 and published_at_ms is null",
    siteId,
  );

/** The broker's sessions of a site with their offers, history and participants, from PostgreSQL. */
export async function readBrokerSessions(databaseUrl: string, siteId: string): Promise<BrokerSessionRow[]> {
  const pool = createPgPool(databaseUrl, 1);
  try {
    const { rows } = await pool.query<{
      session_id: string;
      state: string;
      rep_id: string | null;
      enqueued_at_ms: string;
      ended_at_ms: string | null;
      answered_offer_at_ms: string | null;
      first_offer_at_ms: string | null;
      closed_events: string;
      assigned_events: string;
      participants: string;
      event_ids: string[];
    }>(
      `select s.session_id, s.state, s.rep_id, s.enqueued_at_ms, s.ended_at_ms,
         (select o.offered_at_ms from session_offers o
           where o.site_id = s.site_id and o.session_id = s.session_id and o.outcome = 'accepted'
           order by o.epoch limit 1) as answered_offer_at_ms,
         (select min(o.offered_at_ms) from session_offers o
           where o.site_id = s.site_id and o.session_id = s.session_id) as first_offer_at_ms,
         (select count(*) from session_events e
           where e.site_id = s.site_id and e.session_id = s.session_id and e.type = 'sessionClosed') as closed_events,
         (select count(*) from session_events e
           where e.site_id = s.site_id and e.session_id = s.session_id and e.type = 'sessionAssigned') as assigned_events,
         (select count(*) from session_participants p
           where p.site_id = s.site_id and p.session_id = s.session_id) as participants,
         array(select e.event_id::text from session_events e
           where e.site_id = s.site_id and e.session_id = s.session_id) as event_ids
       from sessions s where s.site_id = $1`,
      [siteId],
    );
    const num = (value: string | null) => (value === null ? null : Number(value));
    return rows.map((r) => ({
      sessionId: r.session_id,
      state: r.state,
      repId: r.rep_id,
      enqueuedAtMs: Number(r.enqueued_at_ms),
      endedAtMs: num(r.ended_at_ms),
      answeredOfferAtMs: num(r.answered_offer_at_ms),
      firstOfferAtMs: num(r.first_offer_at_ms),
      closedEvents: Number(r.closed_events),
      assignedEvents: Number(r.assigned_events),
      participants: Number(r.participants),
      eventIds: r.event_ids,
    }));
  } finally {
    await pool.end();
  }
}

interface ReportedSession {
  sessionId: string;
  outcome: string;
  repIds: string[];
  endedAtMs: number | null;
}

/** Every session of the site in reporting's session list (its supervisor API), all pages. */
async function readReportedSessions(center: ContactCenter, fromMs: number, toMs: number): Promise<ReportedSession[]> {
  const token = await center.stack.supervisorIssuer.token(center.siteId, "sam", ["supervisor"]);
  const sessions: ReportedSession[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 1_000; page++) {
    const query = new URLSearchParams({
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
      limit: "500",
    });
    if (cursor) query.set("cursor", cursor);
    const response = await fetch(`${center.stack.httpUrl("reporting")}/v1/supervisor/sessions?${query.toString()}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(10_000),
    });
    if (!response.ok) throw new Error(`reporting sessions: ${response.status} ${await response.text()}`);
    const body = (await response.json()) as { sessions: ReportedSession[]; nextCursor: string | null };
    sessions.push(...body.sessions);
    cursor = body.nextCursor;
    if (!cursor) break;
  }
  return sessions;
}

export interface InvariantOptions {
  /** Wall-clock ms (Date.now()) before the run's first session: reporting's list starts here. */
  runStartedAtMs: number;
  /** How long reporting and Kafka may take to catch up with PostgreSQL. @default 60000 */
  catchUpMs?: number;
}

/**
 * The whole system's invariants after a run, each from the source that owns it:
 * - every acknowledged session is in PostgreSQL (none lost), and every session there ended exactly
 *   once (state ended, one `sessionClosed` in its history, ended once on the reps' side);
 * - no double assignment (one rep ever took part, one `sessionAssigned`, one rep's accept succeeded);
 * - Kafka carries every event of PostgreSQL's histories (after dedupe by event id), none unknown;
 * - reporting agrees with PostgreSQL: the same sessions, each answered by the same rep and ended.
 */
export async function checkSystemInvariants(
  center: ContactCenter,
  options: InvariantOptions,
): Promise<InvariantReport> {
  const violations: string[] = [];
  const checked: string[] = [];
  const { DATABASE_URL, KAFKA_BROKERS } = center.stack.infrastructure;
  const catchUpMs = options.catchUpMs ?? 60_000;
  // The snapshot's events are all on Kafka once the leader's relay drained the outbox (bounded); sessions
  // still live may append more after it (compareSessionTopic judges those).
  const relayDeadline = Date.now() + catchUpMs;
  while ((await countUnrelayed(DATABASE_URL, center.siteId)) > 0 && Date.now() < relayDeadline)
    await new Promise((resolve) => setTimeout(resolve, 250));
  const rows = await readBrokerSessions(DATABASE_URL, center.siteId);
  const byId = new Map(rows.map((row) => [row.sessionId, row]));
  const acknowledged = center.acknowledged();
  const limit = (lines: string[]) => (lines.length > 5 ? [...lines.slice(0, 5), `… ${lines.length - 5} more`] : lines);

  const lost = acknowledged.filter((id) => !byId.has(id));
  if (lost.length) violations.push(`acknowledged sessions missing from PostgreSQL: ${limit(lost).join(", ")}`);
  checked.push(`${acknowledged.length} acknowledged sessions all in PostgreSQL (${rows.length} sessions there)`);

  const notEndedOnce = rows.filter((row) => row.state !== "ended" || row.closedEvents !== 1);
  for (const row of limit(notEndedOnce.map((r) => `${r.sessionId} ${r.state}, ${r.closedEvents} sessionClosed`)))
    violations.push(`not ended exactly once in PostgreSQL: ${row}`);
  const repSideEnds = [...center.sessions].filter(([, s]) => s.ends > 1);
  for (const [id, s] of repSideEnds.slice(0, 5)) violations.push(`session ${id} ended ${s.ends} times by reps`);
  checked.push(
    `every session ended exactly once (${rows.length} in PostgreSQL, ${rows.length - notEndedOnce.length} ok)`,
  );

  const doubly = rows.filter((row) => row.participants !== 1 || row.assignedEvents !== 1);
  for (const row of limit(
    doubly.map((r) => `${r.sessionId}: ${r.participants} reps took part, ${r.assignedEvents} assigned`),
  ))
    violations.push(`not assigned exactly once: ${row}`);
  const doubleAccepts = [...center.sessions].filter(([, s]) => new Set(s.acceptedBy).size > 1);
  for (const [id, s] of doubleAccepts.slice(0, 5))
    violations.push(`session ${id} accepted by ${s.acceptedBy.join(" and ")}`);
  checked.push(`no double assignment (${rows.length} sessions, one rep and one assignment each)`);

  // Events complete after dedupe: Kafka holds each PostgreSQL event, perhaps more than once, and nothing else.
  const topic = await compareSessionTopic(DATABASE_URL, KAFKA_BROKERS, center.siteId, rows, catchUpMs);
  const { missing, unknown, kafka } = topic;
  // Whether the broker's relay never published them (still in its outbox) or Kafka lost what it acknowledged.
  if (missing.length)
    violations.push(
      `${missing.length} events of PostgreSQL's histories not on Kafka ` +
        `(${await countUnrelayed(DATABASE_URL, center.siteId)} outbox rows of the site still unpublished)`,
    );
  if (unknown.length)
    violations.push(`${unknown.length} events on Kafka unknown to PostgreSQL: ${limit(unknown).join(", ")}`);
  checked.push(
    `events complete after dedupe: ${topic.snapshotEvents} in PostgreSQL ` +
      `(${topic.afterSnapshot} more committed while Kafka was read), ${kafka.read} on Kafka ` +
      `(${kafka.duplicates} duplicates)`,
  );

  // Reporting agrees with PostgreSQL, once it has caught up (bounded).
  const agreement = async () => {
    const reported = await readReportedSessions(center, options.runStartedAtMs - 60_000, Date.now() + 60_000);
    const problems: string[] = [];
    const reportedById = new Map(reported.map((s) => [s.sessionId, s]));
    if (reported.length !== reportedById.size)
      problems.push(`reporting lists ${reported.length - reportedById.size} sessions twice`);
    for (const row of rows) {
      const seen = reportedById.get(row.sessionId);
      if (!seen) problems.push(`${row.sessionId} not in reporting`);
      else if (seen.outcome !== "answered" || seen.repIds.length !== 1 || seen.repIds[0] !== row.repId)
        problems.push(
          `${row.sessionId}: reporting ${seen.outcome} by ${seen.repIds.join("+")}, PostgreSQL ${row.state} by ${row.repId}`,
        );
      else if (seen.endedAtMs === null) problems.push(`${row.sessionId}: not ended in reporting`);
    }
    for (const id of reportedById.keys()) if (!byId.has(id)) problems.push(`${id} in reporting only`);
    return problems;
  };
  const deadline = Date.now() + catchUpMs;
  let problems = await agreement();
  while (problems.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    problems = await agreement();
  }
  for (const problem of limit(problems)) violations.push(`reporting disagrees: ${problem}`);
  checked.push(`PostgreSQL and reporting agree on ${rows.length} sessions (answered, same rep, ended)`);

  for (const violation of limit(center.violations)) violations.push(`reps' SDKs: ${violation}`);
  checked.push(`reps' SDKs saw each offer once and every session's events in sequence`);
  return {
    violations,
    checked,
    rows,
    kafka,
  };
}
