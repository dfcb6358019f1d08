import type { PgPool } from "@handoff/runtime";
import { LIVE_STATES } from "../domain/session-lifecycle";
import { rowFromRecord, type SessionRecord, type SessionRow } from "./session-row";

export interface ClosedSessionRef {
  outboxId: number;
  siteId: string;
  sessionId: string;
}

/**
 * The reconciler's reads: live sessions of a site page by page (partial index `sessions_live`, so the
 * cost follows live sessions, not history), and the sessions closed recently, found through the
 * outbox's `sessionClosed` rows (primary-key range, so the cost follows recent traffic).
 */
export class LiveSessionScan {
  constructor(private readonly pool: PgPool) {}

  /** Live sessions of a site with an id above `afterSessionId`, in id order, at most `limit`. */
  async livePage(siteId: string, afterSessionId: string, limit: number): Promise<SessionRow[]> {
    const result = await this.pool.query<SessionRecord>(
      `select * from sessions where site_id = $1 and state = any($2) and session_id > $3
       order by session_id limit $4`,
      [siteId, LIVE_STATES, afterSessionId, limit],
    );
    return result.rows.map(rowFromRecord);
  }

  /** The id before the oldest outbox row still kept (published rows are pruned after a while). */
  async outboxStart(): Promise<number> {
    const result = await this.pool.query<{ id: string | null }>("select min(id) as id from session_outbox");
    const first = result.rows[0]?.id;
    return first === null || first === undefined ? 0 : Number(first) - 1;
  }

  /**
   * Sessions closed by outbox rows after `afterId`, reading at most `limit` rows and none written
   * after `writtenBeforeMs` (so a transaction that took an id but commits a little later is not
   * skipped). Returns them with the id to continue after.
   */
  async closedAfter(
    afterId: number,
    limit: number,
    writtenBeforeMs: number,
  ): Promise<{ closed: ClosedSessionRef[]; nextAfterId: number }> {
    const result = await this.pool.query<{ id: string; site_id: string; session_id: string; type: string; at: string }>(
      `select id, site_id, session_id, type, created_at_ms as at from session_outbox where id > $1
       order by id limit $2`,
      [afterId, limit],
    );
    const closed: ClosedSessionRef[] = [];
    let nextAfterId = afterId;
    for (const row of result.rows) {
      if (Number(row.at) >= writtenBeforeMs) break;
      nextAfterId = Number(row.id);
      if (row.type === "sessionClosed")
        closed.push({ outboxId: nextAfterId, siteId: row.site_id, sessionId: row.session_id });
    }
    return { closed, nextAfterId };
  }
}
