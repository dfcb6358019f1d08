import type { PgPool } from "@handoff/runtime";
import type { Tx } from "./session-store";

/** A start's idempotency key as the site used it: the session it started and what was asked. */
export interface StartKeyRow {
  sessionId: string;
  fingerprint: Buffer;
  createdAtMs: number;
}

/** Keys the leader deletes in one statement; more wait for its next pass. */
const EXPIRY_BATCH = 1_000;

/**
 * The one door to `session_start_keys`. A key lives `ttlMs`: an older one is no longer found, may be
 * claimed again by a new start, and is deleted by the leader's expiry pass.
 */
export class StartKeyStore {
  constructor(
    private readonly pool: PgPool,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The live key's row, or undefined when the site has not used it (or it expired). */
  async find(siteId: string, key: string): Promise<StartKeyRow | undefined> {
    const { rows } = await this.pool.query<{ session_id: string; fingerprint: Buffer; created_at_ms: string }>(
      `select session_id, fingerprint, created_at_ms from session_start_keys
        where site_id = $1 and idempotency_key = $2 and created_at_ms >= $3`,
      [siteId, key, this.now() - this.ttlMs],
    );
    const row = rows[0];
    return row && { sessionId: row.session_id, fingerprint: row.fingerprint, createdAtMs: Number(row.created_at_ms) };
  }

  /**
   * Records the key for `sessionId` inside the creating transaction; false when another start holds it
   * (a concurrent one waits here until that one commits or rolls back, so only one session is created).
   */
  async claimIn(tx: Tx, siteId: string, key: string, fingerprint: Buffer, sessionId: string): Promise<boolean> {
    const nowMs = this.now();
    const result = await tx.query(
      `insert into session_start_keys (site_id, idempotency_key, fingerprint, session_id, created_at_ms)
       values ($1, $2, $3, $4, $5)
       on conflict (site_id, idempotency_key) do update
         set fingerprint = excluded.fingerprint, session_id = excluded.session_id, created_at_ms = excluded.created_at_ms
         where session_start_keys.created_at_ms < $6`,
      [siteId, key, fingerprint, sessionId, nowMs, nowMs - this.ttlMs],
    );
    return result.rowCount === 1;
  }

  /** Deletes expired keys (a batch); the ms until the next pass: none while a full batch was deleted. */
  async expireOnce(intervalMs: number): Promise<number> {
    const result = await this.pool.query(
      `delete from session_start_keys where ctid in (
         select ctid from session_start_keys where created_at_ms < $1 limit ${EXPIRY_BATCH})`,
      [this.now() - this.ttlMs],
    );
    return (result.rowCount ?? 0) >= EXPIRY_BATCH ? 0 : intervalMs;
  }
}
