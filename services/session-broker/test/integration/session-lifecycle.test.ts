import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientMode, EndReason, SessionState, StartMethod } from "@handoff/proto/common";
import { DisconnectFallback } from "@handoff/proto/session_broker_service";
import {
  asCustomer,
  asRep,
  asSupervisor,
  createRequest,
  eventually,
  issueRequest,
  SessionStack,
  teamConfig,
  siteWithTeams,
} from "@handoff/testing";
import pg from "pg";

const defaults = {
  fallbackUrl: "",
  queueWhenNoRep: true,
  sessionKeyTtlMs: 0,
  invitationTtlMs: 0,
  accessLinkTtlMs: 0,
  disconnectGraceMs: 0,
  disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_REQUEUE,
  disconnectFallbackTeamId: "",
  invitationBaseUrl: "",
  version: 0,
};

describe("the session's lifecycle", () => {
  let stack: SessionStack;
  let db: pg.Pool;
  beforeAll(async () => {
    stack = await SessionStack.start();
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  const stateOf = async (siteId: string, sessionId: string) =>
    (await stack.broker.getSession({ siteId, sessionId, requester: asSupervisor("sam") })).session!;

  it("tells the customer at once when no eligible rep is logged in, and queues him when the site says so", async () => {
    const siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["alice"] })]);
    await stack.broker.putBrokerSettings({
      siteId,
      settings: { ...defaults, fallbackUrl: "https://example.com/contact", queueWhenNoRep: true },
    });
    const queued = await stack.broker.createSession(issueRequest(siteId));
    expect(queued).toMatchObject({ noRepAvailable: true, fallbackUrl: "https://example.com/contact" });
    expect(queued.session?.state).toBe(SessionState.SESSION_STATE_WAITING);
    expect(queued.position?.position).toBe(1);

    await stack.broker.putBrokerSettings({
      siteId,
      settings: { ...defaults, queueWhenNoRep: false, fallbackUrl: "https://example.com/c" },
    });
    const refused = await stack.broker.createSession(issueRequest(siteId));
    expect(refused).toMatchObject({ noRepAvailable: true, fallbackUrl: "https://example.com/c" });
    expect(refused.session).toMatchObject({
      state: SessionState.SESSION_STATE_ENDED,
      endReason: EndReason.END_REASON_NO_REP_AVAILABLE,
    });
    const routing = await stack.acd
      .getSessionRouting({ siteId, sessionId: refused.session!.sessionId })
      .catch((e: Error) => e);
    expect(routing).toBeInstanceOf(Error);

    // A rep who never logged in has no personal queue in routing: the session cannot wait for him.
    const never = await stack.broker.createSession(createRequest(siteId, { repId: "alice" }));
    expect(never.noRepAvailable).toBe(true);
    expect(never.session).toMatchObject({
      state: SessionState.SESSION_STATE_ENDED,
      endReason: EndReason.END_REASON_NO_REP_AVAILABLE,
    });
  });

  it("ends a session started from the rep list while the portal is closed", async () => {
    const siteId = await stack.site([teamConfig("t1", { memberRepIds: ["alice"] })]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const closed = await stack.broker.createSession(createRequest(siteId, { repId: "alice", portalClosed: true }));
    expect(closed.session).toMatchObject({
      state: SessionState.SESSION_STATE_ENDED,
      endReason: EndReason.END_REASON_PORTAL_CLOSED,
    });
  });

  it("records the customer's client mode on the session and in its created event; none named is click-to-chat", async () => {
    const siteId = await stack.site([teamConfig("t1", { memberRepIds: ["alice"] })]);
    const full = await stack.broker.createSession(
      createRequest(siteId, { repId: "alice", clientMode: ClientMode.CLIENT_MODE_FULL_CLIENT }),
    );
    const unnamed = await stack.broker.createSession(
      createRequest(siteId, { repId: "alice", clientMode: ClientMode.CLIENT_MODE_UNSPECIFIED }),
    );
    expect(full.session!.clientMode).toBe(ClientMode.CLIENT_MODE_FULL_CLIENT);
    expect((await stateOf(siteId, full.session!.sessionId)).clientMode).toBe(ClientMode.CLIENT_MODE_FULL_CLIENT);
    expect((await stateOf(siteId, unnamed.session!.sessionId)).clientMode).toBe(ClientMode.CLIENT_MODE_CLICK_TO_CHAT);
    const { events } = await stack.broker.listSessionEvents({
      siteId,
      sessionId: full.session!.sessionId,
      requester: asSupervisor("sam"),
      afterSequence: 0,
      limit: 10,
    });
    expect(events[0]?.payload).toMatchObject({
      $case: "sessionCreated",
      sessionCreated: { clientMode: ClientMode.CLIENT_MODE_FULL_CLIENT },
    });
  });

  it("routes an issue submission to the team of its problem type", async () => {
    const siteId = await stack.site([teamConfig("printers", { memberRepIds: ["alice"] })]);
    await stack.acd.putRoutingConfig({
      siteId,
      config: {
        version: 0,
        teams: [teamConfig("printers", { memberRepIds: ["alice"] })],
        problemTypes: [{ id: "paper-jam", label: "Paper jam", teamId: "printers", priority: 5, requiredSkills: [] }],
      },
    });
    await stack.repOnline(siteId, "alice", ["printers"]);
    const created = await stack.broker.createSession(
      createRequest(siteId, { startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION, problemTypeId: "paper-jam" }),
    );
    expect(created.noRepAvailable).toBe(false);
    const sessionId = created.session!.sessionId;
    const offered = await eventually(async () => {
      const s = await stateOf(siteId, sessionId);
      return s.state === SessionState.SESSION_STATE_OFFERED ? s : undefined;
    });
    expect(offered).toMatchObject({ repId: "alice", target: { target: { $case: "teamId", teamId: "printers" } } });
  });

  it("abandons a waiting session the customer leaves, in PostgreSQL and in the acd", async () => {
    const siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["alice"] })]);
    const created = await stack.broker.createSession(issueRequest(siteId));
    const sessionId = created.session!.sessionId;
    const { session } = await stack.broker.closeSession({
      siteId,
      sessionId,
      requester: asCustomer(created.customerToken),
      reason: 0,
      abandonReason: 0,
    });
    expect(session).toMatchObject({
      state: SessionState.SESSION_STATE_ABANDONED,
      endReason: EndReason.END_REASON_ABANDONED,
    });
    expect((await stack.acd.getSessionRouting({ siteId, sessionId })).state).toBe(SessionState.SESSION_STATE_ABANDONED);
    // Closing again changes nothing.
    const again = await stack.broker.closeSession({
      siteId,
      sessionId,
      requester: asCustomer(created.customerToken),
      reason: 0,
      abandonReason: 0,
    });
    expect(again.session?.lastSequence).toBe(session?.lastSequence);
  });

  it("refuses a customer token of another session", async () => {
    const siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["alice"] })]);
    const mine = await stack.broker.createSession(issueRequest(siteId));
    const other = await stack.broker.createSession(issueRequest(siteId));
    await expect(
      stack.broker.getSession({
        siteId,
        sessionId: mine.session!.sessionId,
        requester: asCustomer(other.customerToken),
      }),
    ).rejects.toMatchObject({ code: 7 });
  });

  it("follows the acd: an offer that rings out makes the session wait again", async () => {
    const siteId = await stack.site([teamConfig("t1", { memberRepIds: ["alice"], offerTimeoutMs: 400 })]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const created = await stack.broker.createSession(createRequest(siteId, { repId: "alice" }));
    const sessionId = created.session!.sessionId;
    const offered = await eventually(async () => {
      const s = await stateOf(siteId, sessionId);
      return s.state === SessionState.SESSION_STATE_OFFERED ? s : undefined;
    });
    // Alice lets it ring out; presence marks her not-responding, so it waits (for her) again.
    const waiting = await eventually(async () => {
      const s = await stateOf(siteId, sessionId);
      return s.state === SessionState.SESSION_STATE_WAITING ? s : undefined;
    });
    expect(waiting.epoch).toBe(offered.epoch);
    const types = await db.query<{ type: string }>(
      "select type from session_events where site_id = $1 and session_id = $2 order by sequence",
      [siteId, sessionId],
    );
    expect(types.rows.map((r) => r.type)).toEqual([
      "sessionCreated",
      "consentRecorded",
      "sessionWaiting",
      "sessionOffered",
      "sessionOfferLapsed",
    ]);
    const offers = await db.query<{ outcome: string }>(
      "select outcome from session_offers where site_id = $1 and session_id = $2",
      [siteId, sessionId],
    );
    expect(offers.rows).toEqual([{ outcome: "expired" }]);
  });

  it("takes the next session for a rep who pulls, with the offer and the assignment recorded", async () => {
    const siteId = await stack.site([teamConfig("manual", { memberRepIds: ["alice"], strategy: 4 })]);
    await stack.repOnline(siteId, "alice", ["manual"]);
    await stack.acd.putRoutingConfig({
      siteId,
      config: {
        version: 0,
        teams: [teamConfig("manual", { memberRepIds: ["alice"], strategy: 4 })],
        problemTypes: [{ id: "general", label: "General", teamId: "manual", priority: 0, requiredSkills: [] }],
      },
    });
    const created = await stack.broker.createSession(
      createRequest(siteId, { startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION, problemTypeId: "general" }),
    );
    const { session } = await stack.broker.takeNextSession({ siteId, repId: "alice" });
    expect(session).toMatchObject({
      sessionId: created.session!.sessionId,
      state: SessionState.SESSION_STATE_ACTIVE,
      repId: "alice",
    });
    expect((await stack.broker.listRepSessions({ siteId, repId: "alice" })).sessions.map((s) => s.sessionId)).toEqual([
      created.session!.sessionId,
    ]);
    expect((await stack.broker.takeNextSession({ siteId, repId: "alice" })).session).toBeUndefined();
    await stack.broker.closeSession({
      siteId,
      sessionId: created.session!.sessionId,
      requester: asRep("alice"),
      reason: EndReason.END_REASON_RESOLVED,
      abandonReason: 0,
    });
    expect((await stateOf(siteId, created.session!.sessionId)).endReason).toBe(EndReason.END_REASON_RESOLVED);
  });
});
