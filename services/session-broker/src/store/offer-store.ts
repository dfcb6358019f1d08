import type { PgPool } from "@handoff/runtime";
import type { DecisionRecord } from "@handoff/proto/acd_service";
import type { Tx } from "./session-store";

export type OfferOutcome = "pending" | "accepted" | "rejected" | "expired" | "withdrawn" | "superseded";

export interface OfferRow {
  repId: string;
  epoch: number;
  offeredAtMs: number;
  expiresAtMs: number;
  decision: DecisionRecord;
  outcome: OfferOutcome;
}

/** Every offer made for a session with the acd's decision record (`session_offers`), for reports. */
export class OfferStore {
  constructor(private readonly pool: PgPool) {}

  /** Records an offer once; an older offer still pending is superseded by it. */
  async record(tx: Tx, siteId: string, sessionId: string, offer: Omit<OfferRow, "outcome">): Promise<void> {
    await tx.query(
      `update session_offers set outcome = 'superseded'
       where site_id = $1 and session_id = $2 and epoch < $3 and outcome = 'pending'`,
      [siteId, sessionId, offer.epoch],
    );
    await tx.query(
      `insert into session_offers (site_id, session_id, epoch, rep_id, offered_at_ms, expires_at_ms, decision)
       values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing`,
      [siteId, sessionId, offer.epoch, offer.repId, offer.offeredAtMs, offer.expiresAtMs, offer.decision],
    );
  }

  /** Sets how a pending offer ended (an outcome already recorded stays). */
  async settle(tx: Tx, siteId: string, sessionId: string, epoch: number, outcome: OfferOutcome): Promise<void> {
    await tx.query(
      `update session_offers set outcome = $4 where site_id = $1 and session_id = $2 and epoch = $3
         and outcome in ('pending', 'superseded')`,
      [siteId, sessionId, epoch, outcome],
    );
  }

  async ofSession(siteId: string, sessionId: string): Promise<OfferRow[]> {
    const result = await this.pool.query<{
      rep_id: string;
      epoch: string;
      offered_at_ms: string;
      expires_at_ms: string;
      decision: DecisionRecord;
      outcome: OfferOutcome;
    }>("select * from session_offers where site_id = $1 and session_id = $2 order by epoch", [siteId, sessionId]);
    return result.rows.map((r) => ({
      repId: r.rep_id,
      epoch: Number(r.epoch),
      offeredAtMs: Number(r.offered_at_ms),
      expiresAtMs: Number(r.expires_at_ms),
      decision: r.decision,
      outcome: r.outcome,
    }));
  }
}
