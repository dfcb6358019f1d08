import type { Tx } from "./session-store";

/** One survey per side and session (`session_surveys`); its content is the session event. */
export class SurveyStore {
  /** Records the survey; false when this side (this rep) submitted one already. */
  async record(
    tx: Tx,
    siteId: string,
    sessionId: string,
    kind: "customer" | "rep",
    repId: string,
    atMs: number,
  ): Promise<boolean> {
    const result = await tx.query(
      `insert into session_surveys (site_id, session_id, kind, rep_id, submitted_at_ms) values ($1, $2, $3, $4, $5)
       on conflict do nothing`,
      [siteId, sessionId, kind, repId, atMs],
    );
    return result.rowCount === 1;
  }
}
