import { readFileSync } from "node:fs";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { Actor, ClientMode } from "@handoff/proto/common";
import { InvitationChannel } from "@handoff/proto/session_broker_service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PORTAL_OPENAPI_FILE } from "../../src/portal/write-portal-openapi";
import { demoRouting } from "../support/portal-configs";
import { closedTodayAndTomorrow, consent, issueStart, openPortal } from "../support/portal-fixtures";
import { eventually, PortalStack } from "../support/portal-stack";

let stack: PortalStack;
beforeAll(async () => {
  stack = await PortalStack.start();
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const rep = (id: string) => ({ actor: Actor.ACTOR_REP, id, customerToken: "" });
const supervisor = { actor: Actor.ACTOR_SUPERVISOR, id: "sup", customerToken: "" };

/** What the broker holds of a session, as a supervisor reads it. */
const brokerSession = async (siteId: string, sessionId: string) =>
  (await stack.sessions.broker.getSession({ siteId, sessionId, requester: supervisor })).session!;

describe("starting a session", () => {
  it("serves the portal API's OpenAPI document as checked in", async () => {
    const served = await stack.call("GET", "/v1/portal/openapi.json");
    expect(served.status).toBe(200);
    expect(served.body).toEqual(JSON.parse(readFileSync(PORTAL_OPENAPI_FILE, "utf8")));
  });

  it("by rep: waits in the chosen rep's personal queue and is offered to him", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    await stack.sessions.repOnline(siteId, "bob", ["support"]);
    const started = await stack.startSession(siteId, {
      method: "rep_list",
      repId: "bob",
      mode: "full_client",
      consent,
    });
    expect(started).toMatchObject({ mode: "full_client", noRepAvailable: false });
    expect((await brokerSession(siteId, started.sessionId)).clientMode).toBe(ClientMode.CLIENT_MODE_FULL_CLIENT);
    await eventually(async () => expect((await brokerSession(siteId, started.sessionId)).repId).toBe("bob"));
    const stream = await stack.stream(siteId, started);
    expect((await stream.next((f) => f.event === "offered")).data).toEqual({});
    stream.close();
  });

  it("by session key: works while the portal is closed, which the answer says; other methods are refused with the opening time", async () => {
    const { schedule, opensAt } = closedTodayAndTomorrow();
    const siteId = await stack.site(demoRouting(), openPortal({ schedule }));
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    const portal = await stack.call("GET", `/v1/sites/${siteId}/portal`);
    expect(portal.body).toMatchObject({ open: false, opensAt, reps: [] });

    const refused = await stack.call("POST", `/v1/sites/${siteId}/sessions`, { body: issueStart("Ann") });
    expect(refused).toMatchObject({ status: 409, body: { reason: "PORTAL_CLOSED", opensAt } });

    const { displayKey } = await stack.sessions.broker.createSessionKey({
      siteId,
      requester: rep("alice"),
      target: undefined,
      ttlMs: 0,
    });
    const started = await stack.startSession(siteId, { method: "session_key", sessionKey: displayKey, consent });
    expect(started.state).not.toBe("ended");
    // Closing-time admission: a key started out of hours is told his wait ends after closing.
    if (started.state === "waiting") expect(started.closing.waitEndsAfterClosing).toBe(true);
    expect((await brokerSession(siteId, started.sessionId)).startMethod).toBe(3);

    const wrongKey = await stack.call("POST", `/v1/sites/${siteId}/sessions`, {
      body: { method: "session_key", sessionKey: "0000-0000-00", consent },
    });
    expect(wrongKey).toMatchObject({ status: 403, body: { reason: "CREDENTIAL_REJECTED" } });
  });

  it("by invitation link: the rep's link starts a session for him", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    await stack.sessions.repOnline(siteId, "carol", ["billing"]);
    const invitation = await stack.sessions.broker.createInvitation({
      siteId,
      requester: rep("carol"),
      ttlMs: 0,
      channel: InvitationChannel.INVITATION_CHANNEL_CHAT,
      customerAddress: "",
      customerName: "Dora",
    });
    const started = await stack.startSession(siteId, {
      method: "invitation_link",
      invitationToken: invitation.token,
      consent,
    });
    await eventually(async () => expect((await brokerSession(siteId, started.sessionId)).repId).toBe("carol"));
  });

  it("records the agreement version and the recording answer, and refuses a stale agreement or a missing consent", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    const started = await stack.startSession(
      siteId,
      issueStart("Ann", { consent: { ...consent, recordingAllowed: true } }),
    );
    expect((await brokerSession(siteId, started.sessionId)).consent).toMatchObject({
      agreementAccepted: true,
      agreementVersion: "2026-11",
      recordingAllowed: true,
    });
    const stale = await stack.call("POST", `/v1/sites/${siteId}/sessions`, {
      body: issueStart("Ben", { consent: { ...consent, agreementVersion: "2025-01" } }),
    });
    expect(stale).toMatchObject({ status: 409, body: { reason: "AGREEMENT_CHANGED", agreementVersion: "2026-11" } });
    const unaccepted = await stack.call("POST", `/v1/sites/${siteId}/sessions`, {
      body: issueStart("Ben", { consent: { ...consent, agreementAccepted: false } }),
    });
    expect(unaccepted).toMatchObject({ status: 400, body: { field: "consent.agreementAccepted" } });
  });

  it("names every bad field of an issue form", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const bad = await stack.call("POST", `/v1/sites/${siteId}/sessions`, {
      body: {
        method: "issue",
        customer: { name: "x".repeat(201), email: "not-an-address", companyCode: "y".repeat(65), shoeSize: 44 },
        consent,
      },
    });
    expect(bad.status).toBe(400);
    const errors = bad.body as { errors: { field: string }[] };
    expect(errors.errors.map((e) => e.field).sort()).toEqual([
      "customer.companyCode",
      "customer.email",
      "customer.name",
      "customer.shoeSize",
      "problemTypeId",
    ]);
    const unknownType = await stack.call("POST", `/v1/sites/${siteId}/sessions`, {
      body: issueStart("Ann", { problemTypeId: "coffee" }),
    });
    expect(unknownType).toMatchObject({ status: 400, body: { field: "problemTypeId" } });
  });

  it("with no eligible rep logged in: tells the customer at once, with the fallback URL", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const started = await stack.startSession(siteId, issueStart("Ann"));
    expect(started).toMatchObject({ noRepAvailable: true, fallbackUrl: "https://help.example.com/contact" });
  });
});

describe("verified identity", () => {
  let keys: { privateKey: CryptoKey; publicJwk: Record<string, unknown> };
  let otherKey: CryptoKey;
  let siteId: string;

  beforeAll(async () => {
    const pair = await generateKeyPair("ES256");
    keys = { privateKey: pair.privateKey, publicJwk: { ...(await exportJWK(pair.publicKey)), kid: "web-1" } };
    otherKey = (await generateKeyPair("ES256")).privateKey;
    siteId = await stack.site(demoRouting(), openPortal({ identityKeys: { keys: [keys.publicJwk as never] } }));
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
  });

  const token = (
    claims: Record<string, unknown>,
    options: { key?: CryptoKey; aud?: string; iat?: number; exp?: number } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: "web-1" })
      .setAudience(options.aud ?? siteId)
      .setIssuedAt(options.iat ?? now)
      .setExpirationTime(options.exp ?? now + 300)
      .sign(options.key ?? keys.privateKey);
  };

  it("fills in the verified fields over what the customer typed, and the rep sees them marked verified", async () => {
    const identityToken = await token({ name: "Erika Mustermann", company: "Beispiel GmbH", companyCode: "K-42" });
    const started = await stack.startSession(siteId, {
      ...issueStart("Someone Else"),
      customer: { name: "Someone Else", company: "Other", description: "VPN" },
      identityToken,
    });
    expect(started.verifiedFields).toEqual(["name", "company", "company_code"]);
    expect((await brokerSession(siteId, started.sessionId)).customer).toMatchObject({
      name: "Erika Mustermann",
      company: "Beispiel GmbH",
      companyCode: "K-42",
      description: "VPN",
      verifiedFields: ["name", "company", "company_code"],
    });
  });

  it("refuses an expired token, one signed by another key, and one for another site", async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const identityToken of [
      await token({ name: "Late" }, { iat: now - 1_200, exp: now - 600 }),
      await token({ name: "Forger" }, { key: otherKey }),
      await token({ name: "Elsewhere" }, { aud: "another-site" }),
    ]) {
      const refused = await stack.call("POST", `/v1/sites/${siteId}/sessions`, {
        body: { ...issueStart("Ann"), identityToken },
      });
      expect(refused).toMatchObject({ status: 401, body: { reason: "IDENTITY_REJECTED", field: "identityToken" } });
    }
  });
});
