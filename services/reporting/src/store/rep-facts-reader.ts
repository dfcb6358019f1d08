import type { PgPool } from "@handoff/runtime";
import type { RepProfileChange } from "../domain/fairness";
import type { RepStateChange } from "../domain/rep-timeline";
import type { HandledPartRow, OfferRow } from "../domain/session-facts";

/** Bound on the rows of one kind a historical rep read takes; a larger range must be split. */
export const MAX_REP_ROWS_PER_READ = 200_000;

export class TooManyRepRowsError extends Error {
  constructor(readonly table: string) {
    super(`the range holds more than ${MAX_REP_ROWS_PER_READ} rows of ${table}`);
    this.name = "TooManyRepRowsError";
  }
}

export interface RepFactsInRange {
  stateChanges: RepStateChange[];
  profiles: RepProfileChange[];
  /** Parts overlapping the range (and each rep's last one before it), offers made in it: one-item "sessions". */
  parts: { parts: HandledPartRow[] }[];
  offers: { offers: OfferRow[] }[];
}

type Row = Record<string, unknown>;
const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null ? null : Number(value));

/** Reads what the rep figures of a range need: the states, logins, sessions and offers around it. */
export class RepFactsReader {
  constructor(private readonly pool: PgPool) {}

  private async rows(table: string, sql: string, params: unknown[]): Promise<Row[]> {
    const { rows } = await this.pool.query<Row>(`${sql} limit ${MAX_REP_ROWS_PER_READ + 1}`, params);
    if (rows.length > MAX_REP_ROWS_PER_READ) throw new TooManyRepRowsError(table);
    return rows;
  }

  async inRange(siteId: string, fromMs: number, toMs: number): Promise<RepFactsInRange> {
    const params = [siteId, fromMs, toMs];
    const [states, profiles, parts, offers] = await Promise.all([
      // The changes whose closed interval overlaps the range, and each rep's last change before it
      // (the state he was in when the range began).
      this.rows(
        "rep_state_changes",
        `select * from reporting.rep_state_changes
         where site_id = $1 and previous_started_at_ms < $3 and changed_at_ms > $2
         union
         select * from (
           select distinct on (rep_id) * from reporting.rep_state_changes
           where site_id = $1 and changed_at_ms <= $2
           order by rep_id, changed_at_ms desc, stream_ms desc, stream_seq desc
         ) latest`,
        params,
      ),
      this.rows(
        "rep_profile_changes",
        `select * from reporting.rep_profile_changes where site_id = $1 and changed_at_ms >= $2 and changed_at_ms < $3
         union
         select * from (
           select distinct on (rep_id, kind) * from reporting.rep_profile_changes
           where site_id = $1 and changed_at_ms < $2
           order by rep_id, kind, changed_at_ms desc, event_id desc
         ) latest`,
        params,
      ),
      this.rows(
        "handled_parts",
        // Also each rep's last part before the range: the idle time before an early offer starts there.
        `select * from reporting.handled_parts
         where site_id = $1 and accepted_at_ms < $3 and (ended_at_ms is null or ended_at_ms > $2)
         union
         select * from (
           select distinct on (rep_id) * from reporting.handled_parts
           where site_id = $1 and ended_at_ms <= $2
           order by rep_id, ended_at_ms desc
         ) latest`,
        params,
      ),
      this.rows(
        "offers",
        `select * from reporting.offers where site_id = $1 and created_at_ms >= $2 and created_at_ms < $3`,
        params,
      ),
    ]);
    return {
      stateChanges: states.map((r) => ({
        repId: String(r.rep_id),
        changedAtMs: num(r.changed_at_ms),
        previousState: String(r.previous_state),
        previousReasonCode: String(r.previous_reason_code),
        previousStartedAtMs: num(r.previous_started_at_ms),
        state: String(r.state),
        reasonCode: String(r.reason_code),
        actor: String(r.actor),
      })),
      profiles: profiles.map((r) => ({
        repId: String(r.rep_id),
        changedAtMs: num(r.changed_at_ms),
        kind: r.kind as RepProfileChange["kind"],
        teamIds: (r.team_ids as string[] | null) ?? null,
        capacity: numOrNull(r.capacity),
        skills: (r.skills as string[] | null) ?? null,
      })),
      parts: parts.map((r) => ({
        parts: [
          {
            partNo: num(r.part_no),
            repId: String(r.rep_id),
            entryNo: numOrNull(r.entry_no),
            acceptedAtMs: num(r.accepted_at_ms),
            endedAtMs: numOrNull(r.ended_at_ms),
            endCause: r.end_cause as HandledPartRow["endCause"],
            acdHandleMs: numOrNull(r.acd_handle_ms),
          },
        ],
      })),
      offers: offers.map((r) => ({
        offers: [
          {
            epoch: num(r.epoch),
            entryNo: numOrNull(r.entry_no),
            repId: String(r.rep_id),
            fromQueue: null,
            createdAtMs: num(r.created_at_ms),
            expiresAtMs: num(r.expires_at_ms),
            outcome: r.outcome as OfferRow["outcome"],
            endedAtMs: numOrNull(r.ended_at_ms),
            strategy: String(r.strategy),
            trigger: String(r.trigger),
            candidatesConsidered: num(r.candidates_considered),
          },
        ],
      })),
    };
  }
}
