import type { PgPool } from "@handoff/runtime";
import type { Tx } from "./session-store";

export interface ExpiredGrace {
  siteId: string;
  sessionId: string;
  repId: string;
  graceUntilMs: number;
}

/**
 * The disconnected-rep flag of `session_participants` (`disconnected_at_ms`, `grace_until_ms`):
 * set while a rep's last connection is lost, cleared when he is back or his grace period's fallback
 * ran. Writes happen inside a session change, so the flag and its event commit together.
 */
export class DisconnectFlags {
  constructor(private readonly pool: PgPool) {}

  /** The active sessions the rep is in and not yet flagged in, in id order (the order their rows are locked). */
  async unflaggedActiveSessions(db: Tx | PgPool, siteId: string, repId: string): Promise<string[]> {
    const result = await db.query<{ session_id: string }>(
      `select p.session_id from session_participants p
       join sessions s on s.site_id = p.site_id and s.session_id = p.session_id
       where p.site_id = $1 and p.rep_id = $2 and p.left_at_ms is null and p.disconnected_at_ms is null
         and s.state = 'active'
       order by p.session_id`,
      [siteId, repId],
    );
    return result.rows.map((r) => r.session_id);
  }

  /** The sessions in which the rep is flagged as disconnected, in id order. */
  async flaggedSessions(db: Tx | PgPool, siteId: string, repId: string): Promise<string[]> {
    const result = await db.query<{ session_id: string }>(
      `select session_id from session_participants
       where site_id = $1 and rep_id = $2 and left_at_ms is null and grace_until_ms is not null
       order by session_id`,
      [siteId, repId],
    );
    return result.rows.map((r) => r.session_id);
  }

  /** Flags him in one session; false when he is not present there or already flagged. */
  async flag(
    tx: Tx,
    siteId: string,
    sessionId: string,
    repId: string,
    disconnectedAtMs: number,
    graceUntilMs: number,
  ): Promise<boolean> {
    const result = await tx.query(
      `update session_participants set disconnected_at_ms = $4, grace_until_ms = $5
       where site_id = $1 and session_id = $2 and rep_id = $3 and left_at_ms is null and disconnected_at_ms is null`,
      [siteId, sessionId, repId, disconnectedAtMs, graceUntilMs],
    );
    return result.rowCount === 1;
  }

  /** Clears his flag in one session; false when he was not flagged there. */
  async clear(tx: Tx, siteId: string, sessionId: string, repId: string): Promise<boolean> {
    const result = await tx.query(
      `update session_participants set disconnected_at_ms = null, grace_until_ms = null
       where site_id = $1 and session_id = $2 and rep_id = $3 and left_at_ms is null
         and grace_until_ms is not null`,
      [siteId, sessionId, repId],
    );
    return result.rowCount === 1;
  }

  /** Whether he is still flagged in the session with a grace period that ended by `nowMs`. */
  async isExpired(tx: Tx, siteId: string, sessionId: string, repId: string, nowMs: number): Promise<boolean> {
    const result = await tx.query(
      `select 1 from session_participants where site_id = $1 and session_id = $2 and rep_id = $3
         and left_at_ms is null and grace_until_ms <= $4`,
      [siteId, sessionId, repId, nowMs],
    );
    return result.rowCount === 1;
  }

  /** Grace periods that ended by `nowMs`, oldest first, at most `limit` (partial index on grace_until_ms). */
  async expired(nowMs: number, limit: number): Promise<ExpiredGrace[]> {
    const result = await this.pool.query<{
      site_id: string;
      session_id: string;
      rep_id: string;
      grace_until_ms: string;
    }>(
      `select site_id, session_id, rep_id, grace_until_ms from session_participants
       where grace_until_ms <= $1 and left_at_ms is null order by grace_until_ms limit $2`,
      [nowMs, limit],
    );
    return result.rows.map((r) => ({
      siteId: r.site_id,
      sessionId: r.session_id,
      repId: r.rep_id,
      graceUntilMs: Number(r.grace_until_ms),
    }));
  }
}
