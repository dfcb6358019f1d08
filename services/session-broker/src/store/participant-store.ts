import type { PgPool } from "@handoff/runtime";
import type { Tx } from "./session-store";

export interface ParticipantRow {
  repId: string;
  primary: boolean;
  joinedAtMs: number;
  leftAtMs: number | null;
  disconnectedAtMs: number | null;
  graceUntilMs: number | null;
}

interface ParticipantRecord {
  rep_id: string;
  is_primary: boolean;
  joined_at_ms: string;
  left_at_ms: string | null;
  disconnected_at_ms: string | null;
  grace_until_ms: string | null;
}

const toRow = (r: ParticipantRecord): ParticipantRow => ({
  repId: r.rep_id,
  primary: r.is_primary,
  joinedAtMs: Number(r.joined_at_ms),
  leftAtMs: r.left_at_ms === null ? null : Number(r.left_at_ms),
  disconnectedAtMs: r.disconnected_at_ms === null ? null : Number(r.disconnected_at_ms),
  graceUntilMs: r.grace_until_ms === null ? null : Number(r.grace_until_ms),
});

/** The reps of a session (`session_participants`); writes happen inside a session change. */
export class ParticipantStore {
  constructor(private readonly pool: PgPool) {}

  /** The reps still in the session, primary first, then by joining time. */
  async present(db: Tx | PgPool, siteId: string, sessionId: string): Promise<ParticipantRow[]> {
    const result = await db.query<ParticipantRecord>(
      `select * from session_participants where site_id = $1 and session_id = $2 and left_at_ms is null
       order by is_primary desc, joined_at_ms`,
      [siteId, sessionId],
    );
    return result.rows.map(toRow);
  }

  /** Every rep who ever took part, in joining order (for reports). */
  async all(siteId: string, sessionId: string): Promise<ParticipantRow[]> {
    const result = await this.pool.query<ParticipantRecord>(
      "select * from session_participants where site_id = $1 and session_id = $2 order by joined_at_ms",
      [siteId, sessionId],
    );
    return result.rows.map(toRow);
  }

  /** Whether the rep ever took part in the session (present or left). */
  async tookPart(db: Tx | PgPool, siteId: string, sessionId: string, repId: string): Promise<boolean> {
    const result = await db.query(
      "select 1 from session_participants where site_id = $1 and session_id = $2 and rep_id = $3",
      [siteId, sessionId, repId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Adds the rep (or brings him back after he left) as primary or not. */
  async join(tx: Tx, siteId: string, sessionId: string, repId: string, primary: boolean, atMs: number): Promise<void> {
    await tx.query(
      `insert into session_participants (site_id, session_id, rep_id, is_primary, joined_at_ms)
       values ($1, $2, $3, $4, $5)
       on conflict (site_id, session_id, rep_id) do update
         set is_primary = excluded.is_primary, joined_at_ms = excluded.joined_at_ms, left_at_ms = null,
             disconnected_at_ms = null, grace_until_ms = null`,
      [siteId, sessionId, repId, primary, atMs],
    );
  }

  async leave(tx: Tx, siteId: string, sessionId: string, repId: string, atMs: number): Promise<void> {
    await tx.query(
      `update session_participants set left_at_ms = $4, is_primary = false, disconnected_at_ms = null,
         grace_until_ms = null
       where site_id = $1 and session_id = $2 and rep_id = $3 and left_at_ms is null`,
      [siteId, sessionId, repId, atMs],
    );
  }

  /** Everyone still present leaves (session ended, or transferred back to a queue); returns who left. */
  async leaveAll(tx: Tx, siteId: string, sessionId: string, atMs: number): Promise<string[]> {
    const result = await tx.query<{ rep_id: string }>(
      `update session_participants set left_at_ms = $3, is_primary = false, disconnected_at_ms = null,
         grace_until_ms = null
       where site_id = $1 and session_id = $2 and left_at_ms is null returning rep_id`,
      [siteId, sessionId, atMs],
    );
    return result.rows.map((r) => r.rep_id).sort();
  }

  async setPrimary(tx: Tx, siteId: string, sessionId: string, repId: string): Promise<void> {
    await tx.query(
      `update session_participants set is_primary = (rep_id = $3)
       where site_id = $1 and session_id = $2 and left_at_ms is null`,
      [siteId, sessionId, repId],
    );
  }

  /** The live sessions a rep takes part in. */
  async sessionIdsOfRep(siteId: string, repId: string): Promise<string[]> {
    const result = await this.pool.query<{ session_id: string }>(
      `select p.session_id from session_participants p
       join sessions s on s.site_id = p.site_id and s.session_id = p.session_id
       where p.site_id = $1 and p.rep_id = $2 and p.left_at_ms is null and s.state = 'active'
       order by p.joined_at_ms`,
      [siteId, repId],
    );
    return result.rows.map((r) => r.session_id);
  }
}
