import type { PgPool } from "@handoff/runtime";
import { EventLog, type SessionKey } from "./event-log";
import { SESSION_FACT_TABLES } from "./fact-store";
import { inTransaction } from "./transaction";

/**
 * Deletes what is older than a cutoff, at most `limit` rows (or sessions) per call, each call one
 * short transaction, so the ingest is never held up for long. Each method returns how many it
 * deleted; fewer than `limit` means nothing older is left.
 */
export class RetentionStore {
  private readonly log = new EventLog();

  constructor(private readonly pool: PgPool) {}

  /**
   * Sessions that started before the cutoff: their fact rows and all their events, together, under
   * the ingest's session locks (an ingest deriving one of them meanwhile would write its facts back).
   */
  async expireSessions(cutoffMs: number, limit: number): Promise<number> {
    return inTransaction(this.pool, async (tx) => {
      const { rows } = await tx.query<SessionKey>(
        `select site_id as "siteId", session_id as "sessionId" from reporting.sessions
         where coalesce(created_at_ms, queued_at_ms) < $1 limit $2`,
        [cutoffMs, limit],
      );
      if (rows.length === 0) return 0;
      await this.log.lockSessions(tx, rows);
      const keys = "(site_id, session_id) in (select * from unnest($1::text[], $2::text[]))";
      await tx.query(
        `with ${SESSION_FACT_TABLES.map((table, i) => `d${i} as (delete from reporting.${table} where ${keys})`).join(", ")}
         delete from reporting.events where ${keys}`,
        [rows.map((r) => r.siteId), rows.map((r) => r.sessionId)],
      );
      return rows.length;
    });
  }

  /** Events older than the cutoff that no expired session took with it (presence, chat of kept sessions...). */
  async expireEvents(cutoffMs: number, limit: number): Promise<number> {
    const result = await this.pool.query(
      `delete from reporting.events where ctid = any(array(
         select ctid from reporting.events where occurred_at_ms < $1 limit $2))`,
      [cutoffMs, limit],
    );
    return result.rowCount ?? 0;
  }

  /**
   * Rep state and profile rows older than the cutoff, except the last of each rep (and kind) before
   * it: that row still says what the rep was doing, and in which teams, at the cutoff and after.
   */
  async expireRepFacts(cutoffMs: number, limit: number): Promise<number> {
    const state = await this.pool.query(
      `delete from reporting.rep_state_changes where ctid = any(array(
         select r.ctid from reporting.rep_state_changes r
         where r.changed_at_ms < $1 and exists (
           select 1 from reporting.rep_state_changes later
           where later.site_id = r.site_id and later.rep_id = r.rep_id
             and later.changed_at_ms > r.changed_at_ms and later.changed_at_ms < $1)
         limit $2))`,
      [cutoffMs, limit],
    );
    const profile = await this.pool.query(
      `delete from reporting.rep_profile_changes where ctid = any(array(
         select r.ctid from reporting.rep_profile_changes r
         where r.changed_at_ms < $1 and exists (
           select 1 from reporting.rep_profile_changes later
           where later.site_id = r.site_id and later.rep_id = r.rep_id and later.kind = r.kind
             and later.changed_at_ms > r.changed_at_ms and later.changed_at_ms < $1)
         limit $2))`,
      [cutoffMs, limit],
    );
    return (state.rowCount ?? 0) + (profile.rowCount ?? 0);
  }

  /** Dead letters whose Kafka message is older than the cutoff (those of unknown age are kept). */
  async expireDeadLetters(cutoffMs: number, limit: number): Promise<number> {
    const result = await this.pool.query(
      `delete from reporting.dead_letters where ctid = any(array(
         select ctid from reporting.dead_letters where message_at_ms < $1 limit $2))`,
      [cutoffMs, limit],
    );
    return result.rowCount ?? 0;
  }
}
