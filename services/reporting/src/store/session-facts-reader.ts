import type { PgPool } from "@handoff/runtime";
import type { QueueFactsOfSession } from "../domain/queue-figures";
import type {
  HandledPartRow,
  OfferRow,
  QueueEntryRow,
  QueueKind,
  QueueRef,
  SurveyRow,
  WaitEstimateRow,
} from "../domain/session-facts";

/** Bound on the sessions one historical read derives figures from; a larger range must be split. */
export const MAX_SESSIONS_PER_READ = 100_000;

export class TooManySessionsError extends Error {
  constructor(readonly count: number) {
    super(`the range holds more than ${MAX_SESSIONS_PER_READ} sessions`);
    this.name = "TooManySessionsError";
  }
}

type Row = Record<string, unknown>;

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null ? null : Number(value));
const queueOf = (kind: unknown, id: unknown): QueueRef | null =>
  kind === null ? null : { kind: kind as QueueKind, id: String(id) };

/** Reads back the fact rows of the sessions with anything counted in a range, grouped by session. */
export class SessionFactsReader {
  constructor(private readonly pool: PgPool) {}

  async queueFacts(siteId: string, fromMs: number, toMs: number): Promise<QueueFactsOfSession[]> {
    const ids = await this.pool.query<{ session_id: string }>(
      `select session_id from reporting.queue_entries
         where site_id = $1 and (entered_at_ms >= $2 and entered_at_ms < $3 or ended_at_ms >= $2 and ended_at_ms < $3)
       union select session_id from reporting.offers
         where site_id = $1 and (created_at_ms >= $2 and created_at_ms < $3 or ended_at_ms >= $2 and ended_at_ms < $3)
       union select session_id from reporting.handled_parts where site_id = $1 and ended_at_ms >= $2 and ended_at_ms < $3
       union select session_id from reporting.surveys where site_id = $1 and submitted_at_ms >= $2 and submitted_at_ms < $3
       limit $4`,
      [siteId, fromMs, toMs, MAX_SESSIONS_PER_READ + 1],
    );
    if (ids.rows.length > MAX_SESSIONS_PER_READ) throw new TooManySessionsError(ids.rows.length);
    const sessionIds = ids.rows.map((r) => r.session_id);
    const read = async (table: string, order: string) =>
      (
        await this.pool.query<Row>(
          `select * from reporting.${table} where site_id = $1 and session_id = any($2) order by session_id, ${order}`,
          [siteId, sessionIds],
        )
      ).rows;
    const [rows, entries, offers, parts, estimates, surveys] = await Promise.all([
      read("sessions", "session_id"),
      read("queue_entries", "entry_no"),
      read("offers", "epoch"),
      read("handled_parts", "part_no"),
      read("wait_estimates", "given_at_ms, event_id"),
      read("surveys", "submitted_at_ms, event_id"),
    ]);
    const sessions = new Map<string, QueueFactsOfSession>(
      sessionIds.map((id) => [
        id,
        { siteId, session: { problemTypeId: null }, entries: [], offers: [], parts: [], estimates: [], surveys: [] },
      ]),
    );
    const of = (row: Row) => sessions.get(String(row.session_id))!;
    for (const r of rows) of(r).session.problemTypeId = r.problem_type_id as string | null;
    for (const r of entries) of(r).entries.push(entryOf(r));
    for (const r of offers) of(r).offers.push(offerOf(r));
    for (const r of parts) of(r).parts.push(partOf(r));
    for (const r of estimates) of(r).estimates.push(estimateOf(r));
    for (const r of surveys) of(r).surveys.push(surveyOf(r));
    return [...sessions.values()];
  }
}

const entryOf = (r: Row): QueueEntryRow => ({
  entryNo: num(r.entry_no),
  queue: queueOf(r.queue_kind, r.queue_id)!,
  cause: r.cause as QueueEntryRow["cause"],
  enteredAtMs: num(r.entered_at_ms),
  waitStartedAtMs: num(r.wait_started_at_ms),
  priority: num(r.priority),
  outcome: r.outcome as QueueEntryRow["outcome"],
  endedAtMs: numOrNull(r.ended_at_ms),
  waitMs: numOrNull(r.wait_ms),
  answeredByRepId: r.answered_by_rep_id as string | null,
  abandonReason: r.abandon_reason as string | null,
  acdWaitedMs: numOrNull(r.acd_waited_ms),
});

const offerOf = (r: Row): OfferRow => ({
  epoch: num(r.epoch),
  entryNo: numOrNull(r.entry_no),
  repId: String(r.rep_id),
  fromQueue: queueOf(r.from_queue_kind, r.from_queue_id),
  createdAtMs: num(r.created_at_ms),
  expiresAtMs: num(r.expires_at_ms),
  outcome: r.outcome as OfferRow["outcome"],
  endedAtMs: numOrNull(r.ended_at_ms),
  strategy: String(r.strategy),
  trigger: String(r.trigger),
  candidatesConsidered: num(r.candidates_considered),
});

const partOf = (r: Row): HandledPartRow => ({
  partNo: num(r.part_no),
  repId: String(r.rep_id),
  entryNo: numOrNull(r.entry_no),
  acceptedAtMs: num(r.accepted_at_ms),
  endedAtMs: numOrNull(r.ended_at_ms),
  endCause: r.end_cause as HandledPartRow["endCause"],
  acdHandleMs: numOrNull(r.acd_handle_ms),
});

const estimateOf = (r: Row): WaitEstimateRow => ({
  eventId: String(r.event_id),
  entryNo: numOrNull(r.entry_no),
  givenAtMs: num(r.given_at_ms),
  position: num(r.position),
  p50Ms: num(r.p50_ms),
  p90Ms: num(r.p90_ms),
  known: Boolean(r.known),
  answeredAtMs: numOrNull(r.answered_at_ms),
});

const surveyOf = (r: Row): SurveyRow => ({
  eventId: String(r.event_id),
  submittedAtMs: num(r.submitted_at_ms),
  satisfaction: num(r.satisfaction),
  queue: queueOf(r.queue_kind, r.queue_id),
});
