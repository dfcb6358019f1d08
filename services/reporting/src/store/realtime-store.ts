import type { PgPool } from "@handoff/runtime";
import type { RepNow, WaitingEntry } from "../domain/realtime";
import type { QueueKind } from "../domain/session-facts";

/** Bound on the rows one real-time read returns (waiting entries, reps of a site). */
export const MAX_REALTIME_ROWS = 10_000;

/** Reads the current state of a site's queues and reps from the fact tables. */
export class RealtimeStore {
  constructor(private readonly pool: PgPool) {}

  async waitingEntries(siteId: string): Promise<WaitingEntry[]> {
    const { rows } = await this.pool.query<{
      queue_kind: QueueKind;
      queue_id: string;
      wait_started_at_ms: string;
      given_at_ms: string | null;
      p50_ms: string | null;
    }>(
      `select e.queue_kind, e.queue_id, e.wait_started_at_ms, w.given_at_ms, w.p50_ms
       from reporting.queue_entries e
       left join lateral (
         select given_at_ms, p50_ms from reporting.wait_estimates w
         where w.site_id = e.site_id and w.session_id = e.session_id and w.entry_no = e.entry_no and w.known
         order by given_at_ms desc limit 1
       ) w on true
       where e.site_id = $1 and e.outcome is null
       limit $2`,
      [siteId, MAX_REALTIME_ROWS],
    );
    return rows.map((r) => ({
      queue: { kind: r.queue_kind, id: r.queue_id },
      waitStartedAtMs: Number(r.wait_started_at_ms),
      estimate: r.given_at_ms === null ? null : { givenAtMs: Number(r.given_at_ms), p50Ms: Number(r.p50_ms) },
    }));
  }

  /** Every rep with a state: his latest state change, his latest team login, his open sessions. */
  async reps(siteId: string): Promise<RepNow[]> {
    const { rows } = await this.pool.query<{
      rep_id: string;
      state: string;
      reason_code: string;
      changed_at_ms: string;
      team_ids: string[] | null;
      load: string;
    }>(
      `with states as (
         select distinct on (rep_id) rep_id, state, reason_code, changed_at_ms
         from reporting.rep_state_changes where site_id = $1
         order by rep_id, changed_at_ms desc, stream_ms desc, stream_seq desc
       ), teams as (
         select distinct on (rep_id) rep_id, team_ids
         from reporting.rep_profile_changes where site_id = $1 and kind = 'teams'
         order by rep_id, changed_at_ms desc, event_id desc
       ), loads as (
         select rep_id, count(*) as load from reporting.handled_parts
         where site_id = $1 and ended_at_ms is null group by rep_id
       )
       select s.rep_id, s.state, s.reason_code, s.changed_at_ms, t.team_ids, coalesce(l.load, 0) as load
       from states s left join teams t using (rep_id) left join loads l using (rep_id)
       order by s.rep_id
       limit $2`,
      [siteId, MAX_REALTIME_ROWS],
    );
    return rows.map((r) => ({
      repId: r.rep_id,
      state: r.state,
      reasonCode: r.reason_code,
      sinceMs: Number(r.changed_at_ms),
      teamIds: r.state === "REP_STATE_OFFLINE" ? [] : (r.team_ids ?? []),
      load: Number(r.load),
    }));
  }
}
