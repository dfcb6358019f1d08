import type { PgPool } from "@handoff/runtime";
import type { CredentialKindName } from "../domain/credential-policy";
import type { QueueTargetValue } from "../domain/queue-target";
import type { Tx } from "./session-store";

export interface SessionKeyRow {
  keyId: string;
  siteId: string;
  target: QueueTargetValue;
  createdBy: string;
  expiresAtMs: number;
  redeemedAtMs: number | null;
}

export interface InvitationRow {
  invitationId: string;
  siteId: string;
  repId: string;
  channel: string;
  expiresAtMs: number;
  usedAtMs: number | null;
  revokedAtMs: number | null;
}

export interface AccessLinkRow {
  linkId: string;
  siteId: string;
  sessionId: string;
  secretHash: Buffer;
  createdBy: string;
  expiresAtMs: number;
  revokedAtMs: number | null;
}

export interface AuditEntry {
  siteId: string;
  kind: CredentialKindName;
  /** Null for a failed redemption of something unknown. */
  credentialId: string | null;
  /** created, sent, send_failed, redeemed, used, revoked, failed. */
  action: string;
  /** The rep's or supervisor's id, "customer" or "system". */
  actor: string;
  clientAddress?: string;
  atMs: number;
}

const numOrNull = (value: string | null): number | null => (value === null ? null : Number(value));

/**
 * Session keys, customer invitations, access links and their audit trail. Credentials are looked up
 * by the HMAC of what the customer or rep presents; the credential itself is never stored.
 */
export class CredentialStore {
  constructor(private readonly pool: PgPool) {}

  /** False when the hash exists already (a 1 in 2^50 collision: the caller draws a new key). */
  async insertSessionKey(tx: Tx, keyHash: Buffer, key: SessionKeyRow, createdAtMs: number): Promise<boolean> {
    const result = await tx.query(
      `insert into session_keys (key_hash, key_id, site_id, target_kind, target_id, created_by, created_at_ms,
         expires_at_ms)
       values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (key_hash) do nothing`,
      [keyHash, key.keyId, key.siteId, key.target.kind, key.target.id, key.createdBy, createdAtMs, key.expiresAtMs],
    );
    return result.rowCount === 1;
  }

  async findSessionKey(siteId: string, keyHash: Buffer): Promise<SessionKeyRow | undefined> {
    const result = await this.pool.query<{
      key_id: string;
      target_kind: QueueTargetValue["kind"];
      target_id: string;
      created_by: string;
      expires_at_ms: string;
      redeemed_at_ms: string | null;
    }>("select * from session_keys where key_hash = $1 and site_id = $2", [keyHash, siteId]);
    const r = result.rows[0];
    return (
      r && {
        keyId: r.key_id,
        siteId,
        target: { kind: r.target_kind, id: r.target_id },
        createdBy: r.created_by,
        expiresAtMs: Number(r.expires_at_ms),
        redeemedAtMs: numOrNull(r.redeemed_at_ms),
      }
    );
  }

  /**
   * Marks the key used by `sessionId` if it is still unused and unexpired at `nowMs`. Of concurrent
   * redemptions one wins: the others wait for its row lock and then find it redeemed.
   */
  async consumeSessionKey(tx: Tx, keyId: string, sessionId: string, nowMs: number): Promise<boolean> {
    const result = await tx.query(
      `update session_keys set redeemed_at_ms = $3, session_id = $2
       where key_id = $1 and redeemed_at_ms is null and expires_at_ms > $3`,
      [keyId, sessionId, nowMs],
    );
    return result.rowCount === 1;
  }

  async insertInvitation(
    tx: Tx,
    tokenHash: Buffer,
    invitation: InvitationRow & { customerAddress: string; customerName: string },
    createdAtMs: number,
  ): Promise<void> {
    await tx.query(
      `insert into customer_invitations (invitation_id, token_hash, site_id, rep_id, channel, customer_address,
         customer_name, created_at_ms, expires_at_ms)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        invitation.invitationId,
        tokenHash,
        invitation.siteId,
        invitation.repId,
        invitation.channel,
        invitation.customerAddress,
        invitation.customerName,
        createdAtMs,
        invitation.expiresAtMs,
      ],
    );
  }

  async findInvitationByToken(siteId: string, tokenHash: Buffer): Promise<InvitationRow | undefined> {
    return this.findInvitationWhere(this.pool, "token_hash = $1 and site_id = $2", [tokenHash, siteId]);
  }

  /** The invitation, locked until the end of `tx`. */
  async lockInvitation(tx: Tx, siteId: string, invitationId: string): Promise<InvitationRow | undefined> {
    return this.findInvitationWhere(tx, "invitation_id = $1 and site_id = $2 for update", [invitationId, siteId]);
  }

  private async findInvitationWhere(
    db: Tx | PgPool,
    where: string,
    params: unknown[],
  ): Promise<InvitationRow | undefined> {
    const result = await db.query<{
      invitation_id: string;
      site_id: string;
      rep_id: string;
      channel: string;
      expires_at_ms: string;
      used_at_ms: string | null;
      revoked_at_ms: string | null;
    }>(`select * from customer_invitations where ${where}`, params);
    const r = result.rows[0];
    return (
      r && {
        invitationId: r.invitation_id,
        siteId: r.site_id,
        repId: r.rep_id,
        channel: r.channel,
        expiresAtMs: Number(r.expires_at_ms),
        usedAtMs: numOrNull(r.used_at_ms),
        revokedAtMs: numOrNull(r.revoked_at_ms),
      }
    );
  }

  /** Marks the invitation used if it is still unused, unrevoked and unexpired at `nowMs`. */
  async consumeInvitation(tx: Tx, invitationId: string, sessionId: string, nowMs: number): Promise<boolean> {
    const result = await tx.query(
      `update customer_invitations set used_at_ms = $3, session_id = $2
       where invitation_id = $1 and used_at_ms is null and revoked_at_ms is null and expires_at_ms > $3`,
      [invitationId, sessionId, nowMs],
    );
    return result.rowCount === 1;
  }

  /** Revokes an unused invitation; false when it was used or revoked already. */
  async revokeInvitation(db: Tx | PgPool, invitationId: string, nowMs: number): Promise<boolean> {
    const result = await db.query(
      `update customer_invitations set revoked_at_ms = $2
       where invitation_id = $1 and used_at_ms is null and revoked_at_ms is null`,
      [invitationId, nowMs],
    );
    return result.rowCount === 1;
  }

  async insertAccessLink(tx: Tx, tokenHash: Buffer, link: AccessLinkRow, createdAtMs: number): Promise<void> {
    await tx.query(
      `insert into access_links (link_id, token_hash, secret_hash, site_id, session_id, created_by, created_at_ms,
         expires_at_ms)
       values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        link.linkId,
        tokenHash,
        link.secretHash,
        link.siteId,
        link.sessionId,
        link.createdBy,
        createdAtMs,
        link.expiresAtMs,
      ],
    );
  }

  async findAccessLinkByToken(siteId: string, tokenHash: Buffer): Promise<AccessLinkRow | undefined> {
    return this.findAccessLinkWhere("token_hash = $1 and site_id = $2", [tokenHash, siteId]);
  }

  async findAccessLink(siteId: string, linkId: string): Promise<AccessLinkRow | undefined> {
    return this.findAccessLinkWhere("link_id = $1 and site_id = $2", [linkId, siteId]);
  }

  private async findAccessLinkWhere(where: string, params: unknown[]): Promise<AccessLinkRow | undefined> {
    const result = await this.pool.query<{
      link_id: string;
      site_id: string;
      session_id: string;
      secret_hash: Buffer;
      created_by: string;
      expires_at_ms: string;
      revoked_at_ms: string | null;
    }>(`select * from access_links where ${where}`, params);
    const r = result.rows[0];
    return (
      r && {
        linkId: r.link_id,
        siteId: r.site_id,
        sessionId: r.session_id,
        secretHash: r.secret_hash,
        createdBy: r.created_by,
        expiresAtMs: Number(r.expires_at_ms),
        revokedAtMs: numOrNull(r.revoked_at_ms),
      }
    );
  }

  /** Records a use if the link is still unrevoked and unexpired at `nowMs` (checked under the row lock). */
  async markAccessLinkUsed(tx: Tx, linkId: string, nowMs: number): Promise<boolean> {
    const result = await tx.query(
      `update access_links set last_used_at_ms = $2
       where link_id = $1 and revoked_at_ms is null and expires_at_ms > $2`,
      [linkId, nowMs],
    );
    return result.rowCount === 1;
  }

  /** False when it was revoked already. */
  async revokeAccessLink(tx: Tx, linkId: string, nowMs: number): Promise<boolean> {
    const result = await tx.query(
      "update access_links set revoked_at_ms = $2 where link_id = $1 and revoked_at_ms is null",
      [linkId, nowMs],
    );
    return result.rowCount === 1;
  }

  async audit(db: Tx | PgPool, entry: AuditEntry): Promise<void> {
    await db.query(
      `insert into credential_audit (site_id, kind, credential_id, action, actor, client_address, at_ms)
       values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        entry.siteId,
        entry.kind,
        entry.credentialId,
        entry.action,
        entry.actor,
        entry.clientAddress ?? null,
        entry.atMs,
      ],
    );
  }
}
