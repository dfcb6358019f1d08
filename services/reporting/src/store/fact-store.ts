import type { RepFact } from "../domain/rep-facts";
import type { QueueRef, SessionFacts } from "../domain/session-facts";
import type { IngestedEvent } from "../events/event-decoding";
import type { Tx } from "./transaction";

/** The tables of one session's derived facts, keyed by (site_id, session_id). */
export const SESSION_FACT_TABLES = [
  "sessions",
  "queue_entries",
  "offers",
  "handled_parts",
  "wait_estimates",
  "surveys",
];

const queueColumns = (queue: QueueRef | null, prefix = "queue") => ({
  [`${prefix}_kind`]: queue?.kind ?? null,
  [`${prefix}_id`]: queue?.id ?? null,
});

type Rows = readonly Record<string, unknown>[];

/**
 * Inserts rows given as JSON objects whose keys are column names, into several tables in one
 * statement (one round trip however many tables and rows): jsonb_populate_recordset takes each
 * table's row type, so a key not given is null.
 */
async function insertRows(tx: Tx, rowsByTable: Readonly<Record<string, Rows>>): Promise<void> {
  const tables = Object.entries(rowsByTable).filter(([, rows]) => rows.length > 0);
  if (tables.length === 0) return;
  const inserts = tables.map(
    ([table], i) =>
      `i${i} as (insert into reporting.${table} select * from jsonb_populate_recordset(null::reporting.${table}, $${i + 1}::jsonb))`,
  );
  await tx.query(
    `with ${inserts.join(", ")} select 1`,
    tables.map(([, rows]) => JSON.stringify(rows)),
  );
}

/** A session's fact rows, keyed as the tables key them. */
function sessionRows(facts: SessionFacts): Record<string, Rows> {
  const key = { site_id: facts.siteId, session_id: facts.sessionId };
  const s = facts.session;
  return {
    sessions: [
      {
        ...key,
        created_at_ms: s.createdAtMs,
        start_method: s.startMethod,
        problem_type_id: s.problemTypeId,
        queued_at_ms: s.queuedAtMs,
        first_offered_at_ms: s.firstOfferedAtMs,
        answered_at_ms: s.answeredAtMs,
        abandoned_at_ms: s.abandonedAtMs,
        abandon_reason: s.abandonReason,
        ended_at_ms: s.endedAtMs,
        end_reason: s.endReason,
        final_state: s.finalState,
        transfers: s.transfers,
        offers: s.offers,
      },
    ],
    queue_entries: facts.entries.map((e) => ({
      ...key,
      entry_no: e.entryNo,
      ...queueColumns(e.queue),
      cause: e.cause,
      entered_at_ms: e.enteredAtMs,
      wait_started_at_ms: e.waitStartedAtMs,
      priority: e.priority,
      outcome: e.outcome,
      ended_at_ms: e.endedAtMs,
      wait_ms: e.waitMs,
      answered_by_rep_id: e.answeredByRepId,
      abandon_reason: e.abandonReason,
      acd_waited_ms: e.acdWaitedMs,
    })),
    offers: facts.offers.map((o) => ({
      ...key,
      epoch: o.epoch,
      entry_no: o.entryNo,
      rep_id: o.repId,
      ...queueColumns(o.fromQueue, "from_queue"),
      created_at_ms: o.createdAtMs,
      expires_at_ms: o.expiresAtMs,
      outcome: o.outcome,
      ended_at_ms: o.endedAtMs,
      strategy: o.strategy,
      trigger: o.trigger,
      candidates_considered: o.candidatesConsidered,
    })),
    handled_parts: facts.parts.map((p) => ({
      ...key,
      part_no: p.partNo,
      rep_id: p.repId,
      entry_no: p.entryNo,
      accepted_at_ms: p.acceptedAtMs,
      ended_at_ms: p.endedAtMs,
      end_cause: p.endCause,
      acd_handle_ms: p.acdHandleMs,
    })),
    wait_estimates: facts.estimates.map((w) => ({
      ...key,
      event_id: w.eventId,
      entry_no: w.entryNo,
      given_at_ms: w.givenAtMs,
      position: w.position,
      p50_ms: w.p50Ms,
      p90_ms: w.p90Ms,
      known: w.known,
      answered_at_ms: w.answeredAtMs,
    })),
    surveys: facts.surveys.map((v) => ({
      ...key,
      event_id: v.eventId,
      submitted_at_ms: v.submittedAtMs,
      satisfaction: v.satisfaction,
      ...queueColumns(v.queue),
    })),
  };
}

function repRow(event: IngestedEvent, fact: RepFact): { table: string; row: Record<string, unknown> } {
  const key = { event_id: event.eventId, site_id: event.siteId, rep_id: event.repId };
  if (fact.kind === "state") {
    const s = fact.row;
    return {
      table: "rep_state_changes",
      row: {
        ...key,
        changed_at_ms: s.changedAtMs,
        stream_ms: event.streamMs,
        stream_seq: event.streamSeq,
        previous_state: s.previousState,
        previous_reason_code: s.previousReasonCode,
        previous_started_at_ms: s.previousStartedAtMs,
        state: s.state,
        reason_code: s.reasonCode,
        actor: s.actor,
      },
    };
  }
  const p = fact.row;
  return {
    table: "rep_profile_changes",
    row: {
      ...key,
      changed_at_ms: p.changedAtMs,
      kind: p.kind,
      team_ids: p.teamIds,
      capacity: p.capacity,
      skills: p.skills,
    },
  };
}

/** The fact tables: a session's rows are replaced as a whole, a rep's rows are added one per event. */
export class FactStore {
  /** Replaces the rows of every session in `facts` (one delete and one insert statement for all). */
  async replaceSessionFacts(tx: Tx, facts: readonly SessionFacts[]): Promise<void> {
    if (facts.length === 0) return;
    const [first, ...rest] = SESSION_FACT_TABLES;
    const keys = "(site_id, session_id) in (select * from unnest($1::text[], $2::text[]))";
    await tx.query(
      `with ${rest.map((table, i) => `d${i} as (delete from reporting.${table} where ${keys})`).join(", ")}
       delete from reporting.${first} where ${keys}`,
      [facts.map((f) => f.siteId), facts.map((f) => f.sessionId)],
    );
    const rows: Record<string, Record<string, unknown>[]> = {};
    for (const session of facts)
      for (const [table, tableRows] of Object.entries(sessionRows(session))) (rows[table] ??= []).push(...tableRows);
    await insertRows(tx, rows);
  }

  /** Adds the rows of rep facts, one per event (each event is new: the caller stored it just now). */
  async addRepFacts(tx: Tx, facts: readonly { event: IngestedEvent; fact: RepFact }[]): Promise<void> {
    const rows: Record<string, Record<string, unknown>[]> = {};
    for (const { event, fact } of facts) {
      const { table, row } = repRow(event, fact);
      (rows[table] ??= []).push(row);
    }
    await insertRows(tx, rows);
  }
}
