import { randomUUID } from "node:crypto";
import type { Logger, PgPool } from "@handoff/runtime";
import { checkAccess, type RequesterValue } from "../domain/access";
import { AccessLinkNotConsentedError, InvitationNotSentError, InvitationUsedError } from "../domain/credential-errors";
import { randomToken, type CredentialHasher } from "../domain/credential-hash";
import {
  credentialExpiry,
  isRedeemable,
  LINK_TOKEN_BYTES,
  newAccessSecret,
  newSessionKey,
  parseAccessSecret,
  parseLinkToken,
  parseSessionKey,
  type CredentialKindName,
  type InvitationChannelName,
} from "../domain/credential-policy";
import {
  CredentialRejectedError,
  InvalidFieldError,
  NotAllowedError,
  RedemptionLockedError,
  UnknownReferenceError,
} from "../domain/errors";
import { repQueue, type QueueTargetValue } from "../domain/queue-target";
import {
  addressBucket,
  decideRedemption,
  DEFAULT_REDEMPTION_LIMITS,
  failuresNeededSince,
  type RedemptionLimits,
} from "../domain/redemption-limits";
import { brokerMetrics } from "../metrics";
import { LoggingInvitationNotifier, type InvitationNotifier } from "../notifications/invitation-notifier";
import { CredentialStore, type AuditEntry } from "../store/credential-store";
import type { ParticipantStore } from "../store/participant-store";
import { RedemptionFailureStore } from "../store/redemption-failure-store";
import type { SessionRow } from "../store/session-row";
import type { SessionChange, SessionStore, Tx } from "../store/session-store";
import type { SettingsStore } from "../store/settings-store";
import type { CredentialRedemption, RedeemedPlacement } from "./credential-redemption";

export interface CredentialCommandsOptions {
  /** @default LoggingInvitationNotifier */
  notifier?: InvitationNotifier;
  /** @default DEFAULT_REDEMPTION_LIMITS */
  limits?: RedemptionLimits;
  /** @default Date.now */
  now?: () => number;
}

export interface CreateSessionKeyInput {
  siteId: string;
  /** A rep or supervisor. */
  requester: RequesterValue;
  /** @default the requester's personal queue */
  target?: QueueTargetValue;
  /** 0: the site's default. */
  ttlMs: number;
}

export interface CreatedSessionKey {
  sessionKey: string;
  displayKey: string;
  expiresAtMs: number;
}

export interface CreateInvitationInput {
  siteId: string;
  requester: RequesterValue;
  ttlMs: number;
  channel: InvitationChannelName;
  /** The e-mail address for "email"; free text otherwise. */
  customerAddress: string;
  customerName: string;
}

export interface CreatedInvitation {
  invitationId: string;
  token: string;
  url: string;
  expiresAtMs: number;
}

export interface CreatedAccessLink {
  linkId: string;
  token: string;
  /** Grouped for people; spaces, hyphens and case do not matter when it is used. */
  secret: string;
  expiresAtMs: number;
}

/** A rejection that knows which credential it was about (null: none matched), for the audit trail. */
class CredentialRejection extends CredentialRejectedError {
  constructor(readonly credentialId: string | null) {
    super();
  }
}

/** How many keys to draw when a new one collides with a stored hash (each time 1 in 2^50 or less). */
const KEY_DRAWS = 5;

/**
 * Session keys, customer invitations and access links: issued with their audit rows, stored only
 * as HMACs, and redeemed within the redemption limits. A key or invitation is consumed in the
 * transaction that creates its session, so concurrent redemptions of one key create one session.
 */
export class CredentialCommands implements CredentialRedemption {
  private readonly credentials: CredentialStore;
  private readonly failures: RedemptionFailureStore;
  private readonly notifier: InvitationNotifier;
  private readonly limits: RedemptionLimits;
  private readonly now: () => number;

  constructor(
    private readonly pool: PgPool,
    private readonly store: SessionStore,
    private readonly participants: ParticipantStore,
    private readonly settings: SettingsStore,
    private readonly hasher: CredentialHasher,
    private readonly logger: Logger,
    options: CredentialCommandsOptions = {},
  ) {
    this.credentials = new CredentialStore(pool);
    this.failures = new RedemptionFailureStore(pool);
    this.notifier = options.notifier ?? new LoggingInvitationNotifier(logger);
    this.limits = options.limits ?? DEFAULT_REDEMPTION_LIMITS;
    this.now = options.now ?? Date.now;
  }

  async createSessionKey(input: CreateSessionKeyInput): Promise<CreatedSessionKey> {
    const { siteId, requester } = input;
    const { settings } = await this.settings.get(siteId);
    const nowMs = this.now();
    const expiresAtMs = credentialExpiry(nowMs, input.ttlMs, settings.sessionKeyTtlMs);
    const target = input.target ?? repQueue(requester.id);
    for (let draw = 0; draw < KEY_DRAWS; draw++) {
      const { key, displayKey } = newSessionKey();
      const keyId = `key-${randomUUID()}`;
      const stored = await this.store.transaction(async (tx) => {
        const keyHash = this.hasher.hash("session_key", siteId, key);
        const row = { keyId, siteId, target, createdBy: requester.id, expiresAtMs, redeemedAtMs: null };
        if (!(await this.credentials.insertSessionKey(tx, keyHash, row, nowMs))) return false;
        await this.audit(tx, {
          siteId,
          kind: "session_key",
          credentialId: keyId,
          action: "created",
          actor: requester.id,
        });
        return true;
      });
      if (stored) return { sessionKey: key, displayKey, expiresAtMs };
    }
    throw new Error(`${KEY_DRAWS} session keys in a row collided with stored ones`);
  }

  redeemSessionKey(siteId: string, input: string, clientAddress: string): Promise<RedeemedPlacement> {
    const key = parseSessionKey(input);
    return this.redeem("session_key", siteId, clientAddress, "customer", async (nowMs, attemptId) => {
      const found = await this.credentials.findSessionKey(siteId, this.hasher.hash("session_key", siteId, key));
      if (!found || !isRedeemable({ expiresAtMs: found.expiresAtMs, usedAtMs: found.redeemedAtMs }, nowMs))
        throw new CredentialRejection(found?.keyId ?? null);
      return {
        placement: { startMethod: "session_key", target: found.target, problemTypeId: "", credentialId: found.keyId },
        consume: this.consumer("session_key", siteId, found.keyId, attemptId, clientAddress, (tx, sessionId, atMs) =>
          this.credentials.consumeSessionKey(tx, found.keyId, sessionId, atMs),
        ),
      };
    });
  }

  async createInvitation(input: CreateInvitationInput): Promise<CreatedInvitation> {
    const { siteId, requester } = input;
    const { settings } = await this.settings.get(siteId);
    const nowMs = this.now();
    const expiresAtMs = credentialExpiry(nowMs, input.ttlMs, settings.invitationTtlMs);
    const invitationId = `inv-${randomUUID()}`;
    const token = randomToken(LINK_TOKEN_BYTES);
    await this.store.transaction(async (tx) => {
      await this.credentials.insertInvitation(
        tx,
        this.hasher.hash("invitation", siteId, token),
        {
          invitationId,
          siteId,
          repId: requester.id,
          channel: input.channel,
          customerAddress: input.customerAddress,
          customerName: input.customerName,
          expiresAtMs,
          usedAtMs: null,
          revokedAtMs: null,
        },
        nowMs,
      );
      await this.audit(tx, {
        siteId,
        kind: "invitation",
        credentialId: invitationId,
        action: "created",
        actor: requester.id,
      });
    });
    const url = settings.invitationBaseUrl + token;
    if (input.channel === "email") await this.send(input, { invitationId, token, url, expiresAtMs });
    return { invitationId, token, url, expiresAtMs };
  }

  /** Mails the invitation; if that fails it is revoked at once, so no token lives that nobody holds. */
  private async send(input: CreateInvitationInput, invitation: CreatedInvitation): Promise<void> {
    const { siteId, requester } = input;
    const { invitationId } = invitation;
    const entry = { siteId, kind: "invitation", credentialId: invitationId } as const;
    try {
      await this.notifier.send({
        ...invitation,
        siteId,
        repId: requester.id,
        address: input.customerAddress,
        customerName: input.customerName,
      });
    } catch (error) {
      this.logger.warn({ err: error, siteId, invitationId }, "invitation not sent: revoked");
      await this.credentials.revokeInvitation(this.pool, invitationId, this.now());
      await this.audit(this.pool, { ...entry, action: "send_failed", actor: "system" });
      await this.audit(this.pool, { ...entry, action: "revoked", actor: "system" });
      throw new InvitationNotSentError(invitationId, { cause: error });
    }
    await this.audit(this.pool, { ...entry, action: "sent", actor: requester.id });
  }

  redeemInvitation(siteId: string, input: string, clientAddress: string): Promise<RedeemedPlacement> {
    const token = parseLinkToken(input, "invitation_token");
    return this.redeem("invitation", siteId, clientAddress, "customer", async (nowMs, attemptId) => {
      const found = await this.credentials.findInvitationByToken(siteId, this.hasher.hash("invitation", siteId, token));
      if (!found || !isRedeemable(found, nowMs)) throw new CredentialRejection(found?.invitationId ?? null);
      const { invitationId } = found;
      return {
        placement: {
          startMethod: "invitation_link",
          target: repQueue(found.repId),
          problemTypeId: "",
          credentialId: invitationId,
        },
        consume: this.consumer("invitation", siteId, invitationId, attemptId, clientAddress, (tx, sessionId, atMs) =>
          this.credentials.consumeInvitation(tx, invitationId, sessionId, atMs),
        ),
      };
    });
  }

  /** The inviting rep or a supervisor revokes an unused invitation (revoking twice changes nothing). */
  async revokeInvitation(siteId: string, invitationId: string, requester: RequesterValue): Promise<void> {
    await this.store.transaction(async (tx) => {
      const found = await this.credentials.lockInvitation(tx, siteId, invitationId);
      if (!found) throw new UnknownReferenceError("invitation_id", `invitation ${invitationId} does not exist`);
      if (requester.kind === "rep" && found.repId !== requester.id)
        throw new NotAllowedError(`only the inviting rep or a supervisor may revoke invitation ${invitationId}`);
      if (found.usedAtMs !== null) throw new InvitationUsedError(invitationId);
      if (!(await this.credentials.revokeInvitation(tx, invitationId, this.now()))) return;
      await this.audit(tx, {
        siteId,
        kind: "invitation",
        credentialId: invitationId,
        action: "revoked",
        actor: requester.id,
      });
    });
  }

  /**
   * A participant (or a supervisor) creates an access link to the session's customer; only when the
   * customer's recorded consent allows access links.
   */
  async createAccessLink(
    siteId: string,
    sessionId: string,
    requester: RequesterValue,
    ttlMs: number,
  ): Promise<CreatedAccessLink> {
    const { settings } = await this.settings.get(siteId);
    const nowMs = this.now();
    const expiresAtMs = credentialExpiry(nowMs, ttlMs, settings.accessLinkTtlMs);
    const linkId = `link-${randomUUID()}`;
    const token = randomToken(LINK_TOKEN_BYTES);
    const { secret, displaySecret } = newAccessSecret();
    await this.store.change(siteId, sessionId, async (c) => {
      checkAccess("participant", requester, {
        customerTokenMatches: false,
        participants: await this.participants.present(c.tx, siteId, sessionId),
      });
      if (!c.row.consent.accessLinkAllowed) throw new AccessLinkNotConsentedError(sessionId);
      await this.credentials.insertAccessLink(
        c.tx,
        this.hasher.hash("access_link", siteId, token),
        {
          linkId,
          siteId,
          sessionId,
          secretHash: this.hasher.hash("access_secret", siteId, secret),
          createdBy: requester.id,
          expiresAtMs,
          revokedAtMs: null,
        },
        nowMs,
      );
      await this.audit(c.tx, {
        siteId,
        kind: "access_link",
        credentialId: linkId,
        action: "created",
        actor: requester.id,
      });
      c.emit({
        $case: "accessLinkChanged",
        accessLinkChanged: { linkId, change: "created", repId: requester.id, expiresAtMs },
      });
    });
    return { linkId, token, secret: displaySecret, expiresAtMs };
  }

  /**
   * A rep uses an access link (token and secret) within the redemption limits; the use is an event of
   * the session. A link is used as often as needed until it expires or is revoked, and only while
   * the customer's consent still allows it.
   */
  useAccessLink(
    siteId: string,
    tokenInput: string,
    secretInput: string,
    requester: RequesterValue,
    clientAddress: string,
  ): Promise<SessionRow> {
    const token = parseLinkToken(tokenInput, "token");
    const secret = parseAccessSecret(secretInput, "secret");
    return this.redeem("access_link", siteId, clientAddress, requester.id, async (nowMs, attemptId) => {
      const link = await this.credentials.findAccessLinkByToken(siteId, this.hasher.hash("access_link", siteId, token));
      if (!link) throw new CredentialRejection(null);
      const { linkId } = link;
      if (!this.hasher.matches(link.secretHash, "access_secret", siteId, secret) || !isRedeemable(link, nowMs))
        throw new CredentialRejection(linkId);
      const { row } = await this.store.change(siteId, link.sessionId, async (c) => {
        if (!c.row.consent.accessLinkAllowed) throw new CredentialRejection(linkId);
        const atMs = this.now();
        if (!(await this.credentials.markAccessLinkUsed(c.tx, linkId, atMs))) throw new CredentialRejection(linkId);
        await this.failures.forget(c.tx, attemptId);
        await this.audit(c.tx, {
          siteId,
          kind: "access_link",
          credentialId: linkId,
          action: "used",
          actor: requester.id,
          clientAddress,
          atMs,
        });
        c.emit({
          $case: "accessLinkChanged",
          accessLinkChanged: { linkId, change: "used", repId: requester.id, expiresAtMs: link.expiresAtMs },
        });
      });
      return row;
    });
  }

  /** Its creator, a participant, a supervisor or the session's customer revokes an access link. */
  async revokeAccessLink(siteId: string, linkId: string, requester: RequesterValue): Promise<void> {
    const link = await this.credentials.findAccessLink(siteId, linkId);
    if (!link) throw new UnknownReferenceError("link_id", `access link ${linkId} does not exist`);
    await this.store.change(siteId, link.sessionId, async (c) => {
      await this.authorizeRevoke(c, requester, link.createdBy);
      if (!(await this.credentials.revokeAccessLink(c.tx, linkId, this.now()))) return;
      const actor = requester.kind === "customer" ? "customer" : requester.id || requester.kind;
      await this.audit(c.tx, { siteId, kind: "access_link", credentialId: linkId, action: "revoked", actor });
      c.emit({
        $case: "accessLinkChanged",
        accessLinkChanged: { linkId, change: "revoked", repId: requester.id, expiresAtMs: link.expiresAtMs },
      });
    });
  }

  private async authorizeRevoke(c: SessionChange, requester: RequesterValue, createdBy: string): Promise<void> {
    if (requester.kind === "rep" && requester.id === createdBy) return;
    const { siteId, sessionId } = c.row;
    checkAccess(requester.kind === "customer" ? "customer" : "participant", requester, {
      customerTokenMatches:
        requester.kind === "customer" &&
        this.hasher.matches(c.row.customerTokenHash, "customer_token", siteId, requester.customerToken),
      participants: requester.kind === "rep" ? await this.participants.present(c.tx, siteId, sessionId) : [],
    });
  }

  /**
   * One redemption attempt within the limits: counted first, refused unchecked while its address or
   * site is locked, then `check`ed. A rejection stays counted, is audited and gets the one message
   * for every bad credential.
   */
  private async redeem<T>(
    kind: CredentialKindName,
    siteId: string,
    clientAddress: string,
    actor: string,
    check: (nowMs: number, attemptId: string) => Promise<T>,
  ): Promise<T> {
    if (!clientAddress) throw new InvalidFieldError("client_address", "is required to redeem a key or link");
    const bucket = addressBucket(clientAddress);
    const nowMs = this.now();
    const attemptId = await this.failures.begin(siteId, bucket, nowMs, failuresNeededSince(nowMs, this.limits));
    const window = await this.failures.window(attemptId, siteId, bucket, nowMs, this.limits);
    const decision = decideRedemption(window, this.limits);
    if (!decision.allowed) {
      await this.failures.forget(this.pool, attemptId);
      brokerMetrics.redemptionLockouts.add(1, { kind, scope: decision.scope });
      // Debug only: a locked-out guesser could otherwise flood the log; the metric counts them.
      this.logger.debug({ siteId, kind, scope: decision.scope, clientAddress: bucket }, "redemption locked out");
      throw new RedemptionLockedError(decision.retryAfterMs);
    }
    try {
      return await check(nowMs, attemptId);
    } catch (error) {
      if (!(error instanceof CredentialRejection)) throw error;
      await this.failed(kind, siteId, error.credentialId, actor, clientAddress);
      throw error;
    }
  }

  /**
   * Consumes a key or invitation inside the transaction that creates its session. If another
   * redemption got there first (or it expired meanwhile) the session is not created; the attempt
   * stays counted as a failure.
   */
  private consumer(
    kind: CredentialKindName,
    siteId: string,
    credentialId: string,
    attemptId: string,
    clientAddress: string,
    mark: (tx: Tx, sessionId: string, atMs: number) => Promise<boolean>,
  ): RedeemedPlacement["consume"] {
    return async (tx, sessionId) => {
      const atMs = this.now();
      if (!(await mark(tx, sessionId, atMs))) {
        // Not awaited here: the audit row must outlive this transaction's rollback, and waiting for a
        // second pool connection while holding one could starve the pool.
        void this.failed(kind, siteId, credentialId, "customer", clientAddress).catch((error: unknown) =>
          this.logger.warn({ err: error, siteId, credentialId }, "failed redemption not audited"),
        );
        throw new CredentialRejection(credentialId);
      }
      await this.failures.forget(tx, attemptId);
      await this.audit(tx, { siteId, kind, credentialId, action: "redeemed", actor: "customer", clientAddress, atMs });
    };
  }

  private async failed(
    kind: CredentialKindName,
    siteId: string,
    credentialId: string | null,
    actor: string,
    clientAddress: string,
  ): Promise<void> {
    brokerMetrics.redemptionFailures.add(1, { kind });
    await this.audit(this.pool, { siteId, kind, credentialId, action: "failed", actor, clientAddress });
  }

  private audit(db: Tx | PgPool, entry: Omit<AuditEntry, "atMs"> & { atMs?: number }): Promise<void> {
    return this.credentials.audit(db, { ...entry, atMs: entry.atMs ?? this.now() });
  }
}
