import { randomInt } from "node:crypto";
import { status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Pool } from "pg";
import { createLogger } from "@handoff/runtime";
import { Actor, ClientMode, SessionState, StartMethod } from "@handoff/proto/common";
import { SessionEvent } from "@handoff/proto/events";
import {
  InvitationChannel,
  type Consent,
  type CreateSessionRequest,
  type Requester,
} from "@handoff/proto/session_broker_service";
import { eventually, infrastructureEnv, newSiteId, SessionStack, teamConfig } from "@handoff/testing";
import { CredentialCommands } from "../../src/commands/credential-commands";
import { CredentialHasher } from "../../src/domain/credential-hash";
import { CredentialRejectedError } from "../../src/domain/errors";
import { InvitationNotSentError } from "../../src/domain/credential-errors";
import { DEFAULT_REDEMPTION_LIMITS } from "../../src/domain/redemption-limits";
import { ParticipantStore } from "../../src/store/participant-store";
import { SessionStore } from "../../src/store/session-store";
import { SettingsStore } from "../../src/store/settings-store";

const rep = (id: string): Requester => ({ actor: Actor.ACTOR_REP, id, customerToken: "" });
const supervisor = (id: string): Requester => ({ actor: Actor.ACTOR_SUPERVISOR, id, customerToken: "" });
const customer = (customerToken: string): Requester => ({ actor: Actor.ACTOR_CUSTOMER, id: "", customerToken });

/** A client address no other test (or other engineer's test on the same database) uses. */
const freshAddress = (): string => `100.${randomInt(64, 128)}.${randomInt(256)}.${randomInt(1, 255)}`;

const consent = (accessLinkAllowed = false): Consent => ({
  agreementAccepted: true,
  agreementVersion: "2026-01",
  recordingAllowed: false,
  accessLinkAllowed,
  recordedAtMs: 0,
});

function createRequest(siteId: string, overrides: Partial<CreateSessionRequest>): CreateSessionRequest {
  return {
    siteId,
    startMethod: StartMethod.START_METHOD_REP_LIST,
    repId: "",
    sessionKey: "",
    problemTypeId: "",
    customer: {
      name: "Carl",
      company: "",
      email: "",
      description: "printer",
      locale: "en",
      companyCode: "",
      verifiedFields: [],
    },
    consent: consent(),
    invitationToken: "",
    clientAddress: freshAddress(),
    portalClosed: false,
    clientMode: ClientMode.CLIENT_MODE_CLICK_TO_CHAT,
    idempotencyKey: "",
    repeatOnly: false,
    ...overrides,
  };
}

/** The error a call ends with (fails the test if it succeeds). */
async function refusal(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("the call succeeded");
}

/** Waits past a credential's expiry instant: no race with the server's clock (same machine). */
const waitUntilPast = async (atMs: number): Promise<void> => {
  while (Date.now() <= atMs + 5)
    await new Promise((resolve) => setTimeout(resolve, Math.max(5, atMs + 10 - Date.now())));
};

describe("session keys, invitations and access links", () => {
  let stack: SessionStack;
  let db: Pool;

  beforeAll(async () => {
    stack = await SessionStack.start();
    db = new Pool({ connectionString: infrastructureEnv().DATABASE_URL, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  /** A site with team t1 (alice, bob) and alice online. */
  async function siteWithAlice(): Promise<string> {
    const siteId = await stack.site([teamConfig("t1", { memberRepIds: ["alice", "bob"] })]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    return siteId;
  }

  const redeemKey = (siteId: string, sessionKey: string, clientAddress = freshAddress(), portalClosed = false) =>
    stack.broker.createSession(
      createRequest(siteId, {
        startMethod: StartMethod.START_METHOD_SESSION_KEY,
        sessionKey,
        clientAddress,
        portalClosed,
      }),
    );

  const redeemInvitation = (siteId: string, invitationToken: string, clientAddress = freshAddress()) =>
    stack.broker.createSession(
      createRequest(siteId, { startMethod: StartMethod.START_METHOD_INVITATION_LINK, invitationToken, clientAddress }),
    );

  const newKey = (siteId: string, overrides: { target?: { teamId?: string; repId?: string }; ttlMs?: number } = {}) =>
    stack.broker.createSessionKey({
      siteId,
      requester: rep("alice"),
      target: overrides.target?.teamId
        ? { target: { $case: "teamId", teamId: overrides.target.teamId } }
        : overrides.target?.repId
          ? { target: { $case: "repId", repId: overrides.target.repId } }
          : undefined,
      ttlMs: overrides.ttlMs ?? 0,
    });

  const newInvitation = (siteId: string, ttlMs = 0) =>
    stack.broker.createInvitation({
      siteId,
      requester: rep("alice"),
      ttlMs,
      channel: InvitationChannel.INVITATION_CHANNEL_EMAIL,
      customerAddress: "carl@example.com",
      customerName: "Carl",
    });

  /** A session alice has accepted, with or without the customer's consent to access links. */
  async function activeSession(siteId: string, accessLinkAllowed: boolean) {
    const created = await stack.broker.createSession(
      createRequest(siteId, { repId: "alice", consent: consent(accessLinkAllowed) }),
    );
    const sessionId = created.session!.sessionId;
    const offered = await eventually(async () => {
      const { session } = await stack.broker.getSession({ siteId, sessionId, requester: rep("alice") });
      return session?.state === SessionState.SESSION_STATE_OFFERED ? session : undefined;
    });
    await stack.broker.acceptSessionOffer({ siteId, sessionId, repId: "alice", epoch: offered.epoch });
    return { sessionId, customerToken: created.customerToken };
  }

  async function accessLinkEvents(siteId: string, sessionId: string) {
    const { rows } = await db.query<{ payload: Buffer }>(
      "select payload from session_events where site_id = $1 and session_id = $2 order by sequence",
      [siteId, sessionId],
    );
    return rows
      .map((r) => SessionEvent.decode(r.payload).payload)
      .flatMap((p) => (p?.$case === "accessLinkChanged" ? [p.accessLinkChanged] : []));
  }

  async function auditTrail(credentialId: string): Promise<string[]> {
    const { rows } = await db.query<{ action: string }>(
      "select action from credential_audit where credential_id = $1 order by id",
      [credentialId],
    );
    return rows.map((r) => r.action);
  }

  describe("session keys", () => {
    it("puts the customer in the personal queue of the rep who made the key, once", async () => {
      const siteId = await siteWithAlice();
      const key = await newKey(siteId);
      expect(key.sessionKey).toMatch(/^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{10}$/);
      expect(key.displayKey).toBe(
        `${key.sessionKey.slice(0, 4)}-${key.sessionKey.slice(4, 8)}-${key.sessionKey.slice(8)}`,
      );
      expect(key.expiresAtMs).toBeGreaterThan(Date.now() + 9 * 60_000);

      // Typed as people do: lower case, a space instead of a hyphen.
      const typed = key.displayKey.toLowerCase().replace("-", " ");
      const created = await redeemKey(siteId, typed);
      expect(created.session?.startMethod).toBe(StartMethod.START_METHOD_SESSION_KEY);
      expect(created.session?.target?.target).toEqual({ $case: "repId", repId: "alice" });
      const routing = await stack.acd.getSessionRouting({ siteId, sessionId: created.session!.sessionId });
      expect(routing.target?.target).toEqual({ $case: "repId", repId: "alice" });

      const again = await refusal(redeemKey(siteId, key.sessionKey));
      expect(again.code).toBe(status.PERMISSION_DENIED);
      const { rows } = await db.query<{ action: string }>(
        `select a.action from credential_audit a join session_keys k on k.key_id = a.credential_id
         where k.site_id = $1 order by a.id`,
        [siteId],
      );
      expect(rows.map((r) => r.action)).toEqual(["created", "redeemed", "failed"]);
    });

    it("puts the customer in a named rep's or a team's queue, also while the portal is closed", async () => {
      const siteId = await siteWithAlice();
      const teamKey = await newKey(siteId, { target: { teamId: "t1" } });
      const bobKey = await newKey(siteId, { target: { repId: "bob" } });
      await stack.repOnline(siteId, "bob", ["t1"]);
      const toTeam = await redeemKey(siteId, teamKey.sessionKey, freshAddress(), true);
      const toBob = await redeemKey(siteId, bobKey.sessionKey, freshAddress(), true);
      expect(toTeam.session?.state).not.toBe(SessionState.SESSION_STATE_ENDED);
      expect(toBob.session?.state).not.toBe(SessionState.SESSION_STATE_ENDED);
      const teamRouting = await stack.acd.getSessionRouting({ siteId, sessionId: toTeam.session!.sessionId });
      const bobRouting = await stack.acd.getSessionRouting({ siteId, sessionId: toBob.session!.sessionId });
      expect(teamRouting.target?.target).toEqual({ $case: "teamId", teamId: "t1" });
      expect(bobRouting.target?.target).toEqual({ $case: "repId", repId: "bob" });
    });

    it("is redeemed exactly once when many customers redeem it at the same moment", async () => {
      const siteId = await siteWithAlice();
      for (let round = 0; round < 5; round++) {
        const key = await newKey(siteId);
        const results = await Promise.allSettled(Array.from({ length: 8 }, () => redeemKey(siteId, key.sessionKey)));
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason as ServiceError] : []));
        expect(won).toHaveLength(1);
        expect(lost.map((e) => e.code)).toEqual(Array(7).fill(status.PERMISSION_DENIED));
      }
      const { rows } = await db.query<{ sessions: string; redeemed: string }>(
        `select (select count(*) from sessions where site_id = $1) as sessions,
                (select count(*) from session_keys where site_id = $1 and session_id is not null) as redeemed`,
        [siteId],
      );
      expect(rows[0]).toEqual({ sessions: "5", redeemed: "5" });
    });

    it("gives one answer for an unknown, a used, an expired and a revoked credential", async () => {
      const siteId = await siteWithAlice();
      const used = await newKey(siteId);
      await redeemKey(siteId, used.sessionKey);
      const expired = await newKey(siteId, { ttlMs: 1_000 });
      await waitUntilPast(expired.expiresAtMs);
      const revoked = await newInvitation(siteId);
      await stack.broker.revokeInvitation({ siteId, invitationId: revoked.invitationId, requester: rep("alice") });
      const usedInvitation = await newInvitation(siteId);
      await redeemInvitation(siteId, usedInvitation.token);
      const expiredInvitation = await newInvitation(siteId, 1_000);
      await waitUntilPast(expiredInvitation.expiresAtMs);

      const answers = await Promise.all([
        refusal(redeemKey(siteId, "7K3M9QX2TD")),
        refusal(redeemKey(siteId, used.sessionKey)),
        refusal(redeemKey(siteId, expired.sessionKey)),
        refusal(redeemInvitation(siteId, "AAAAAAAAAAAAAAAAAAAAAA")),
        refusal(redeemInvitation(siteId, revoked.token)),
        refusal(redeemInvitation(siteId, usedInvitation.token)),
        refusal(redeemInvitation(siteId, expiredInvitation.token)),
      ]);
      for (const answer of answers) {
        expect(answer.code).toBe(status.PERMISSION_DENIED);
        expect(answer.details).toBe(answers[0].details);
      }
      expect(answers[0].details).toBe("this key or link is not valid");
    });

    it("locks out an address after 10 failures, even for a valid key, but not other addresses", async () => {
      const siteId = await siteWithAlice();
      const key = await newKey(siteId);
      const guesser = freshAddress();
      for (let i = 0; i < DEFAULT_REDEMPTION_LIMITS.perAddress.maxFailures; i++) {
        const wrong = `7K3M9QX2${"0123456789ABCDEFGHJK"[i * 2]}${"0123456789ABCDEFGHJK"[i * 2 + 1]}`;
        expect((await refusal(redeemKey(siteId, wrong, guesser))).code).toBe(status.PERMISSION_DENIED);
      }
      const locked = await refusal(redeemKey(siteId, key.sessionKey, guesser));
      expect(locked.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(locked.details).toMatch(/too many failed attempts; try again in \d+ s/);
      // The locked attempt checked nothing: the key is still there for its customer.
      const created = await redeemKey(siteId, key.sessionKey, freshAddress());
      expect(created.session?.target?.target).toEqual({ $case: "repId", repId: "alice" });
    });

    it("counts an IPv6 /64 as one address", async () => {
      const siteId = await siteWithAlice();
      const prefix = `2001:db8:${randomInt(0x10000).toString(16)}:${randomInt(0x10000).toString(16)}`;
      for (let i = 1; i <= DEFAULT_REDEMPTION_LIMITS.perAddress.maxFailures; i++)
        await refusal(redeemKey(siteId, "7K3M9QX2TD", `${prefix}::${i.toString(16)}`));
      const locked = await refusal(redeemKey(siteId, "7K3M9QX2TD", `${prefix}:0:0:0:ff`));
      expect(locked.code).toBe(status.RESOURCE_EXHAUSTED);
    });

    it("locks a whole site once all addresses together reach its maximum, and no other site", async () => {
      const siteId = await siteWithAlice();
      const otherSite = await siteWithAlice();
      const key = await newKey(siteId);
      const otherKey = await newKey(otherSite);
      // The site's maximum of failures in its window, from as many addresses (each below its own limit).
      const { maxFailures } = DEFAULT_REDEMPTION_LIMITS.perSite;
      await db.query(
        `insert into redemption_failures (site_id, client_address, at_ms)
         select $1, 'seeded-' || g, $2 from generate_series(1, $3::int) g`,
        [siteId, Date.now(), maxFailures],
      );
      try {
        const locked = await refusal(redeemKey(siteId, key.sessionKey));
        expect(locked.code).toBe(status.RESOURCE_EXHAUSTED);
        await redeemKey(otherSite, otherKey.sessionKey);
      } finally {
        await db.query("delete from redemption_failures where site_id = $1 and client_address like 'seeded-%'", [
          siteId,
        ]);
      }
      // One failure below the maximum the site is open again.
      await redeemKey(siteId, key.sessionKey);
    });

    it("expires: a key past its time is refused", async () => {
      const siteId = await siteWithAlice();
      const key = await newKey(siteId, { ttlMs: 1_000 });
      expect(key.expiresAtMs).toBeLessThanOrEqual(Date.now() + 1_000);
      await waitUntilPast(key.expiresAtMs);
      expect((await refusal(redeemKey(siteId, key.sessionKey))).code).toBe(status.PERMISSION_DENIED);
    });
  });

  describe("invitations", () => {
    it("put the customer in the inviting rep's personal queue, once, with an audit trail", async () => {
      const siteId = await siteWithAlice();
      const invitation = await newInvitation(siteId);
      expect(invitation.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(invitation.url).toBe(`http://127.0.0.1:8080/invite/${invitation.token}`);
      const created = await redeemInvitation(siteId, invitation.token);
      expect(created.session?.startMethod).toBe(StartMethod.START_METHOD_INVITATION_LINK);
      const routing = await stack.acd.getSessionRouting({ siteId, sessionId: created.session!.sessionId });
      expect(routing.target?.target).toEqual({ $case: "repId", repId: "alice" });
      expect((await refusal(redeemInvitation(siteId, invitation.token))).code).toBe(status.PERMISSION_DENIED);
      expect(await auditTrail(invitation.invitationId)).toEqual(["created", "sent", "redeemed", "failed"]);
      const { rows } = await db.query<{ token_hash: Buffer }>(
        "select token_hash from customer_invitations where invitation_id = $1",
        [invitation.invitationId],
      );
      expect(rows[0]!.token_hash.toString("base64url")).not.toContain(invitation.token);
    });

    it("are revoked by the inviting rep or a supervisor, and then refused", async () => {
      const siteId = await siteWithAlice();
      const invitation = await newInvitation(siteId);
      const byBob = await refusal(
        stack.broker.revokeInvitation({ siteId, invitationId: invitation.invitationId, requester: rep("bob") }),
      );
      expect(byBob.code).toBe(status.PERMISSION_DENIED);
      await stack.broker.revokeInvitation({ siteId, invitationId: invitation.invitationId, requester: rep("alice") });
      await stack.broker.revokeInvitation({
        siteId,
        invitationId: invitation.invitationId,
        requester: supervisor("sue"),
      });
      expect((await refusal(redeemInvitation(siteId, invitation.token))).code).toBe(status.PERMISSION_DENIED);
      expect(await auditTrail(invitation.invitationId)).toEqual(["created", "sent", "revoked", "failed"]);

      const used = await newInvitation(siteId);
      await redeemInvitation(siteId, used.token);
      const late = await refusal(
        stack.broker.revokeInvitation({ siteId, invitationId: used.invitationId, requester: rep("alice") }),
      );
      expect(late.code).toBe(status.FAILED_PRECONDITION);
    });

    it("expire by themselves", async () => {
      const siteId = await siteWithAlice();
      const invitation = await newInvitation(siteId, 1_000);
      await waitUntilPast(invitation.expiresAtMs);
      expect((await refusal(redeemInvitation(siteId, invitation.token))).code).toBe(status.PERMISSION_DENIED);
    });

    it("go out by chat or phone without the notifier", async () => {
      const siteId = await siteWithAlice();
      const invitation = await stack.broker.createInvitation({
        siteId,
        requester: rep("alice"),
        ttlMs: 0,
        channel: InvitationChannel.INVITATION_CHANNEL_PHONE,
        customerAddress: "",
        customerName: "",
      });
      expect(invitation.expiresAtMs).toBeGreaterThan(Date.now() + 6 * 86_400_000);
      expect(await auditTrail(invitation.invitationId)).toEqual(["created"]);
    });
  });

  describe("access links", () => {
    it("are refused while the customer has not consented to them", async () => {
      const siteId = await siteWithAlice();
      const { sessionId } = await activeSession(siteId, false);
      const refused = await refusal(
        stack.broker.createAccessLink({ siteId, sessionId, requester: rep("alice"), ttlMs: 0 }),
      );
      expect(refused.code).toBe(status.FAILED_PRECONDITION);
      expect(refused.details).toMatch(/has not allowed access links/);
      expect(await accessLinkEvents(siteId, sessionId)).toEqual([]);
    });

    it("are made by a participant, used with their secret, and every step is an event of the session", async () => {
      const siteId = await siteWithAlice();
      const { sessionId } = await activeSession(siteId, true);
      const notInSession = await refusal(
        stack.broker.createAccessLink({ siteId, sessionId, requester: rep("bob"), ttlMs: 0 }),
      );
      expect(notInSession.code).toBe(status.PERMISSION_DENIED);

      const link = await stack.broker.createAccessLink({ siteId, sessionId, requester: rep("alice"), ttlMs: 0 });
      expect(link.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(link.secret).toMatch(/^([0-9A-Z]{4}-){4}[0-9A-Z]{4}$/);
      const use = (secret: string) =>
        stack.broker.useAccessLink({
          siteId,
          token: link.token,
          secret,
          requester: rep("bob"),
          clientAddress: freshAddress(),
        });

      const wrongSecret = await refusal(use("0000-0000-0000-0000-0000"));
      expect(wrongSecret.code).toBe(status.PERMISSION_DENIED);
      expect(wrongSecret.details).toBe("this key or link is not valid");
      const used = await use(link.secret.toLowerCase().replace(/-/g, " "));
      expect(used.session?.sessionId).toBe(sessionId);
      await use(link.secret);

      const events = await accessLinkEvents(siteId, sessionId);
      expect(events.map((e) => [e.change, e.repId, e.linkId])).toEqual([
        ["created", "alice", link.linkId],
        ["used", "bob", link.linkId],
        ["used", "bob", link.linkId],
      ]);
      expect(events[0]!.expiresAtMs).toBe(link.expiresAtMs);
      expect(await auditTrail(link.linkId)).toEqual(["created", "failed", "used", "used"]);
    });

    it("are revoked by the customer (or their creator) and then refused", async () => {
      const siteId = await siteWithAlice();
      const { sessionId, customerToken } = await activeSession(siteId, true);
      const link = await stack.broker.createAccessLink({ siteId, sessionId, requester: rep("alice"), ttlMs: 0 });
      const strangerRevokes = await refusal(
        stack.broker.revokeAccessLink({ siteId, linkId: link.linkId, requester: rep("bob") }),
      );
      expect(strangerRevokes.code).toBe(status.PERMISSION_DENIED);
      await stack.broker.revokeAccessLink({ siteId, linkId: link.linkId, requester: customer(customerToken) });
      const refused = await refusal(
        stack.broker.useAccessLink({
          siteId,
          token: link.token,
          secret: link.secret,
          requester: rep("alice"),
          clientAddress: freshAddress(),
        }),
      );
      expect(refused.code).toBe(status.PERMISSION_DENIED);
      expect((await accessLinkEvents(siteId, sessionId)).map((e) => e.change)).toEqual(["created", "revoked"]);
    });

    it("expire by themselves", async () => {
      const siteId = await siteWithAlice();
      const { sessionId } = await activeSession(siteId, true);
      const link = await stack.broker.createAccessLink({ siteId, sessionId, requester: rep("alice"), ttlMs: 1_000 });
      await waitUntilPast(link.expiresAtMs);
      const refused = await refusal(
        stack.broker.useAccessLink({
          siteId,
          token: link.token,
          secret: link.secret,
          requester: rep("alice"),
          clientAddress: freshAddress(),
        }),
      );
      expect(refused.code).toBe(status.PERMISSION_DENIED);
    });
  });

  describe("bad input", () => {
    it("is refused with INVALID_ARGUMENT naming the field, and nothing is stored", async () => {
      const siteId = newSiteId();
      const b = stack.broker;
      const key = { siteId, requester: rep("alice"), target: undefined, ttlMs: 0 };
      const invitation = {
        siteId,
        requester: rep("alice"),
        ttlMs: 0,
        channel: InvitationChannel.INVITATION_CHANNEL_EMAIL,
        customerAddress: "carl@example.com",
        customerName: "Carl",
      };
      const link = { siteId, sessionId: "s1", requester: rep("alice"), ttlMs: 0 };
      const use = {
        siteId,
        token: "AAAAAAAAAAAAAAAAAAAAAA",
        secret: "0".repeat(20),
        requester: rep("bob"),
        clientAddress: "10.0.0.1",
      };
      const cases: [string, () => Promise<unknown>][] = [
        ["site_id", () => b.createSessionKey({ ...key, siteId: "" })],
        ["requester.actor", () => b.createSessionKey({ ...key, requester: undefined })],
        ["requester.actor", () => b.createSessionKey({ ...key, requester: customer("t") })],
        ["requester.id", () => b.createSessionKey({ ...key, requester: rep("") })],
        ["target.team_id", () => b.createSessionKey({ ...key, target: { target: { $case: "teamId", teamId: "" } } })],
        ["target.rep_id", () => b.createSessionKey({ ...key, target: { target: { $case: "repId", repId: "a b" } } })],
        ["ttl_ms", () => b.createSessionKey({ ...key, ttlMs: 999 })],
        ["ttl_ms", () => b.createSessionKey({ ...key, ttlMs: 86_400_001 })],
        ["ttl_ms", () => b.createSessionKey({ ...key, ttlMs: -1 })],
        [
          "channel",
          () => b.createInvitation({ ...invitation, channel: InvitationChannel.INVITATION_CHANNEL_UNSPECIFIED }),
        ],
        ["customer_address", () => b.createInvitation({ ...invitation, customerAddress: "" })],
        ["customer_address", () => b.createInvitation({ ...invitation, customerAddress: "carl at example" })],
        ["customer_address", () => b.createInvitation({ ...invitation, customerAddress: `${"c".repeat(320)}@x.io` })],
        ["customer_name", () => b.createInvitation({ ...invitation, customerName: "n".repeat(201) })],
        ["ttl_ms", () => b.createInvitation({ ...invitation, ttlMs: 31 * 86_400_000 })],
        ["requester.actor", () => b.createInvitation({ ...invitation, requester: customer("t") })],
        ["invitation_id", () => b.revokeInvitation({ siteId, invitationId: "", requester: rep("alice") })],
        ["invitation_id", () => b.revokeInvitation({ siteId, invitationId: "inv-unknown", requester: rep("alice") })],
        ["session_id", () => b.createAccessLink({ ...link, sessionId: "" })],
        ["ttl_ms", () => b.createAccessLink({ ...link, ttlMs: 10 })],
        ["requester.actor", () => b.createAccessLink({ ...link, requester: customer("t") })],
        ["token", () => b.useAccessLink({ ...use, token: "" })],
        ["token", () => b.useAccessLink({ ...use, token: "not a token" })],
        ["secret", () => b.useAccessLink({ ...use, secret: "" })],
        ["secret", () => b.useAccessLink({ ...use, secret: "0000-0000" })],
        ["client_address", () => b.useAccessLink({ ...use, clientAddress: "" })],
        ["client_address", () => b.useAccessLink({ ...use, clientAddress: "1".repeat(65) })],
        ["requester.actor", () => b.useAccessLink({ ...use, requester: customer("t") })],
        ["link_id", () => b.revokeAccessLink({ siteId, linkId: "", requester: rep("alice") })],
        ["link_id", () => b.revokeAccessLink({ siteId, linkId: "link-unknown", requester: rep("alice") })],
        ["session_key", () => redeemKey(siteId, "7K3M-9QX2")],
        ["session_key", () => redeemKey(siteId, "7K3M-9QX2-TU")],
        ["session_key", () => redeemKey(siteId, "")],
        [
          "client_address",
          () =>
            b.createSession(
              createRequest(siteId, {
                startMethod: StartMethod.START_METHOD_SESSION_KEY,
                sessionKey: "7K3M9QX2TD",
                clientAddress: "",
              }),
            ),
        ],
        ["invitation_token", () => redeemInvitation(siteId, "short")],
      ];
      for (const [field, call] of cases) {
        const error = await refusal(call());
        expect({ field, code: error.code, details: error.details }).toMatchObject({
          code: status.INVALID_ARGUMENT,
          details: expect.stringMatching(new RegExp(`^${field.replace(".", "\\.")}: `)) as string,
        });
      }
      const { rows } = await db.query<{ n: string }>(
        `select (select count(*) from session_keys where site_id = $1) + (select count(*) from customer_invitations
           where site_id = $1) + (select count(*) from access_links where site_id = $1)
           + (select count(*) from redemption_failures where site_id = $1) as n`,
        [siteId],
      );
      expect(rows[0]!.n).toBe("0");
    });
  });

  describe("in process, with an injected clock and notifier", () => {
    function commands(options: ConstructorParameters<typeof CredentialCommands>[6]) {
      const logger = createLogger("credentials-test", "silent");
      const store = new SessionStore(db);
      return new CredentialCommands(
        db,
        store,
        new ParticipantStore(db),
        new SettingsStore(db),
        new CredentialHasher("a-test-secret-of-at-least-thirty-two-chars"),
        logger,
        options,
      );
    }

    it("refuses a key from its expiry instant on, not a millisecond earlier", async () => {
      let nowMs = Date.now();
      const credentials = commands({ now: () => nowMs });
      const siteId = newSiteId();
      const key = await credentials.createSessionKey({
        siteId,
        requester: { kind: "rep", id: "alice", customerToken: "" },
        ttlMs: 60_000,
      });
      nowMs = key.expiresAtMs - 1;
      const redeemed = await credentials.redeemSessionKey(siteId, key.sessionKey, freshAddress());
      expect(redeemed.placement.target).toEqual({ kind: "rep", id: "alice" });
      nowMs = key.expiresAtMs;
      await expect(credentials.redeemSessionKey(siteId, key.sessionKey, freshAddress())).rejects.toThrow(
        CredentialRejectedError,
      );
    });

    it("prunes failures no window needs any more as new attempts come in", async () => {
      const address = `pruned-${freshAddress()}`;
      await db.query("insert into redemption_failures (site_id, client_address, at_ms) values ('', $1, 1)", [address]);
      await commands({})
        .redeemSessionKey(newSiteId(), "7K3M9QX2TD", freshAddress())
        .catch(() => undefined);
      const { rows } = await db.query("select 1 from redemption_failures where client_address = $1", [address]);
      expect(rows).toEqual([]);
    });

    it("revokes an invitation whose mail could not be sent, so no unsent token stays live", async () => {
      const credentials = commands({ notifier: { send: () => Promise.reject(new Error("smtp down")) } });
      const siteId = newSiteId();
      const failed = await credentials
        .createInvitation({
          siteId,
          requester: { kind: "rep", id: "alice", customerToken: "" },
          ttlMs: 0,
          channel: "email",
          customerAddress: "carl@example.com",
          customerName: "",
        })
        .catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(InvitationNotSentError);
      const { invitationId } = failed as InvitationNotSentError;
      expect(await auditTrail(invitationId)).toEqual(["created", "send_failed", "revoked"]);
      const { rows } = await db.query<{ revoked_at_ms: string | null }>(
        "select revoked_at_ms from customer_invitations where invitation_id = $1",
        [invitationId],
      );
      expect(rows[0]!.revoked_at_ms).not.toBeNull();
    });
  });
});
