import type { PgPool } from "@handoff/runtime";
import type { InvitationStateName, RepInvitationValue } from "../domain/rep-invitation";
import { REP_INVITATIONS_CHANNEL, type RepInvitationNotice } from "./session-events";
import type { Tx } from "./session-store";

interface RepInvitationRecord {
  invitation_id: string;
  invitee_kind: "team" | "rep";
  invitee_id: string;
  invited_by: string;
  state: InvitationStateName;
}

const toValue = (r: RepInvitationRecord): RepInvitationValue => ({
  invitationId: r.invitation_id,
  invitee: { kind: r.invitee_kind, id: r.invitee_id },
  invitedBy: r.invited_by,
  state: r.state,
});

/** Reps invited into a session (`rep_invitations`); used inside a session change, on its transaction. */
export class RepInvitationStore {
  /** Records a pending invitation; every replica hears of it at commit (NOTIFY is transactional). */
  async insert(tx: Tx, siteId: string, sessionId: string, invitation: RepInvitationValue, atMs: number) {
    const notice: RepInvitationNotice = {
      siteId,
      sessionId,
      invitationId: invitation.invitationId,
      byRepId: invitation.invitedBy,
      invitee: invitation.invitee,
    };
    await tx.query("select pg_notify($1, $2)", [REP_INVITATIONS_CHANNEL, JSON.stringify(notice)]);
    await tx.query(
      `insert into rep_invitations (site_id, session_id, invitation_id, invitee_kind, invitee_id, invited_by,
         created_at_ms) values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        siteId,
        sessionId,
        invitation.invitationId,
        invitation.invitee.kind,
        invitation.invitee.id,
        invitation.invitedBy,
        atMs,
      ],
    );
  }

  async find(
    db: Tx | PgPool,
    siteId: string,
    sessionId: string,
    invitationId: string,
  ): Promise<RepInvitationValue | undefined> {
    const result = await db.query<RepInvitationRecord>(
      "select * from rep_invitations where site_id = $1 and session_id = $2 and invitation_id = $3",
      [siteId, sessionId, invitationId],
    );
    return result.rows[0] && toValue(result.rows[0]);
  }

  async pending(tx: Tx, siteId: string, sessionId: string): Promise<RepInvitationValue[]> {
    const result = await tx.query<RepInvitationRecord>(
      `select * from rep_invitations where site_id = $1 and session_id = $2 and state = 'pending'
       order by created_at_ms, invitation_id`,
      [siteId, sessionId],
    );
    return result.rows.map(toValue);
  }

  async settle(
    tx: Tx,
    siteId: string,
    sessionId: string,
    invitationId: string,
    state: Exclude<InvitationStateName, "pending">,
    repId: string,
    atMs: number,
  ): Promise<void> {
    await tx.query(
      `update rep_invitations set state = $4, answered_by = $5, answered_at_ms = $6
       where site_id = $1 and session_id = $2 and invitation_id = $3 and state = 'pending'`,
      [siteId, sessionId, invitationId, state, repId, atMs],
    );
  }

  /** Every pending invitation of the session is cancelled (its reps left: transfer, re-queue). */
  async cancelPending(tx: Tx, siteId: string, sessionId: string, atMs: number): Promise<number> {
    const result = await tx.query(
      `update rep_invitations set state = 'cancelled', answered_at_ms = $3
       where site_id = $1 and session_id = $2 and state = 'pending'`,
      [siteId, sessionId, atMs],
    );
    return result.rowCount ?? 0;
  }
}
