import type { PgPool } from "@handoff/runtime";
import type { RedemptionLimits, RedemptionWindow } from "../domain/redemption-limits";
import type { Tx } from "./session-store";

/** At most this many expired rows are pruned per attempt: the work stays bounded under a flood. */
const PRUNE_BATCH = 50;

/**
 * The counting behind the redemption limits (`redemption_failures`). Every attempt is written as a
 * failure *before* its credential is checked, and removed again only when it is refused by the limit
 * or succeeds (in the transaction that consumes the credential). So concurrent attempts, on any
 * replica, always see each other: of all attempts that passed the check, the last to check saw every
 * earlier one, and no window lets more than its maximum through. An attempt that dies half-way stays
 * counted, which errs on the safe side.
 */
export class RedemptionFailureStore {
  constructor(private readonly pool: PgPool) {}

  /** Records an attempt at `atMs` (and prunes a few rows older than `pruneBeforeMs`); returns its id. */
  async begin(siteId: string, bucket: string, atMs: number, pruneBeforeMs: number): Promise<string> {
    const result = await this.pool.query<{ id: string }>(
      `with pruned as (
         delete from redemption_failures where id in (
           select id from redemption_failures where at_ms < $4 order by at_ms limit ${PRUNE_BATCH}
           for update skip locked))
       insert into redemption_failures (site_id, client_address, at_ms) values ($1, $2, $3) returning id`,
      [siteId, bucket, atMs, pruneBeforeMs],
    );
    return result.rows[0]!.id;
  }

  /**
   * What the limits need to decide on attempt `id` (written at `atMs`, a separate statement after
   * `begin`, so that it sees every attempt that began before it checked).
   */
  async window(
    id: string,
    siteId: string,
    bucket: string,
    atMs: number,
    limits: RedemptionLimits,
  ): Promise<RedemptionWindow> {
    const { perAddress, perSite } = limits;
    const result = await this.pool.query<{ address_nth: string | null; site_nth: string | null }>(
      `select
         (select at_ms from redemption_failures
           where client_address = $2 and at_ms > $3 and id <> $1 order by at_ms desc offset $4 limit 1) as address_nth,
         (select at_ms from redemption_failures
           where site_id = $5 and at_ms > $6 and id <> $1 order by at_ms desc offset $7 limit 1) as site_nth`,
      [
        id,
        bucket,
        atMs - perAddress.windowMs,
        perAddress.maxFailures - 1,
        siteId,
        atMs - perSite.windowMs,
        perSite.maxFailures - 1,
      ],
    );
    const row = result.rows[0]!;
    const num = (value: string | null) => (value === null ? null : Number(value));
    return { nowMs: atMs, addressNthFailureAtMs: num(row.address_nth), siteNthFailureAtMs: num(row.site_nth) };
  }

  /** The attempt does not count: it was refused unchecked, or it succeeded (then inside its transaction). */
  async forget(db: Tx | PgPool, id: string): Promise<void> {
    await db.query("delete from redemption_failures where id = $1", [id]);
  }
}
