import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RoutingStrategy, SessionState } from "@handoff/proto/common";
import { asRep, eventually, issueRequest, SessionStack, teamConfig, siteWithTeams } from "@handoff/testing";
import { AgentHttp, testIssuer, type TestIssuer } from "../support/agent-http";

describe("agent API commands over HTTP", () => {
  let stack: SessionStack;
  let issuer: TestIssuer;
  let http: AgentHttp;
  let siteId: string;
  let alice: string;
  let bob: string;

  /** The session offered to the token's rep, once it is. */
  const offerOf = (token: string, sessionId: string) =>
    eventually(
      async () => {
        const { body } = await http.get("/v1/me/sessions", token);
        return body.sessions?.find((s) => s.sessionId === sessionId && s.state === "offered");
      },
      15_000,
      `offer of ${sessionId}`,
    );

  /** Logs in to `teamIds` from one desktop, single-session mode, available. */
  async function online(token: string, teamIds: string[], connectionId: string) {
    expect((await http.post("/v1/me/login", token, { teamIds, connectionId })).status).toBe(200);
    expect((await http.post("/v1/me/heartbeat", token, { connectionId })).body.nextDeadlineMs).toBeGreaterThan(0);
    expect((await http.put("/v1/me/capacity", token, { mode: "single" })).body.rep?.capacity).toBe(1);
    const available = await http.put("/v1/me/state", token, { state: "available" });
    expect(available.status).toBe(200);
    expect(available.body.rep).toMatchObject({ state: "available", teamIds });
  }

  beforeAll(async () => {
    issuer = await testIssuer();
    stack = await SessionStack.start({ brokerEnv: issuer.brokerEnv });
    http = AgentHttp.of(stack);
    siteId = await siteWithTeams(stack, [
      teamConfig("t1", { memberRepIds: ["alice"] }),
      teamConfig("t2", { memberRepIds: ["bob"] }),
    ]);
    alice = await issuer.token(siteId, "alice");
    bob = await issuer.token(siteId, "bob");
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("serves its OpenAPI document without a token, and keeps /healthz and /readyz", async () => {
    const document = await fetch(`${http.baseUrl}/v1/openapi.json`);
    expect(document.status).toBe(200);
    expect(await document.json()).toMatchObject({
      openapi: "3.1.0",
      paths: { "/v1/sessions/{sessionId}/accept": { post: { operationId: "acceptOffer" } } },
    });
    expect((await http.get("/healthz", undefined)).status).toBe(200);
    expect((await http.get("/readyz", undefined)).status).toBe(200);
  });

  it("a rep logs in, goes available, accepts an offer, chats, transfers to a team, and the other rep ends it", async () => {
    await online(alice, ["t1"], "alice-desk-1");
    await online(bob, ["t2"], "bob-desk-1");

    const created = await stack.broker.createSession(issueRequest(siteId));
    const sessionId = created.session!.sessionId;
    const offer = await offerOf(alice, sessionId);

    const accepted = await http.post(`/v1/sessions/${sessionId}/accept`, alice, { epoch: offer.epoch });
    expect(accepted.status).toBe(200);
    expect(accepted.body.session).toMatchObject({ sessionId, state: "active", repId: "alice" });
    expect(accepted.body.session?.participants).toEqual([expect.objectContaining({ repId: "alice", primary: true })]);

    const chat = await http.post(`/v1/sessions/${sessionId}/messages`, alice, { text: "Hello, I am Alice." });
    expect(chat.status).toBe(201);
    expect(chat.body.sequence).toBeGreaterThan(0);
    expect((await http.post(`/v1/sessions/${sessionId}/notes`, alice, { text: "printer model X" })).status).toBe(201);
    expect((await http.post(`/v1/sessions/${sessionId}/nudge`, alice)).status).toBe(204);
    const asked = await http.post(`/v1/sessions/${sessionId}/permission-requests`, alice, { permission: "view" });
    expect(asked.status).toBe(201);
    expect(asked.body.requestId).toEqual(expect.any(String));

    const mine = await http.get("/v1/me/sessions", alice);
    expect(mine.body.sessions?.map((s) => s.sessionId)).toEqual([sessionId]);

    const transferred = await http.post(`/v1/sessions/${sessionId}/transfer`, alice, { target: { teamId: "t2" } });
    expect(transferred.status).toBe(200);
    const bobsOffer = await offerOf(bob, sessionId);
    expect((await http.post(`/v1/sessions/${sessionId}/accept`, bob, { epoch: bobsOffer.epoch })).status).toBe(200);
    // Alice left with the transfer: she may no longer chat in it.
    const late = await http.post(`/v1/sessions/${sessionId}/messages`, alice, { text: "still here?" });
    expect(late.status).toBe(403);
    expect(late.body.reason).toBe("NOT_ALLOWED");

    const ended = await http.post(`/v1/sessions/${sessionId}/end`, bob, { reason: "resolved" });
    expect(ended.status).toBe(200);
    expect(ended.body.session).toMatchObject({ state: "ended", endReason: "resolved" });
    expect((await http.post(`/v1/sessions/${sessionId}/rep-survey`, bob, { resolutionCode: "fixed" })).status).toBe(
      204,
    );

    // The same commands, seen through the broker's gRPC side: one session, ended by bob, chat recorded.
    const seen = await stack.broker.getSession({ siteId, sessionId, requester: asRep("bob") });
    expect(seen.session?.state).toBe(SessionState.SESSION_STATE_ENDED);
    // Alice's offer was settled by her accept: the same epoch again is a stale offer.
    const stale = await http.post(`/v1/sessions/${sessionId}/accept`, alice, { epoch: offer.epoch });
    expect(stale.status).toBe(409);
    expect(stale.body.reason).toBe("STALE_EPOCH");
  });

  it("lists the rep's team queue with position, waiting time and estimate, and pulls the next session", async () => {
    const site = await siteWithTeams(stack, [
      teamConfig("q1", { memberRepIds: ["carol"], strategy: RoutingStrategy.ROUTING_STRATEGY_MANUAL }),
    ]);
    const carol = await issuer.token(site, "carol");
    await online(carol, ["q1"], "carol-desk");
    const first = await stack.broker.createSession(issueRequest(site));
    const second = await stack.broker.createSession(issueRequest(site));
    const ids = [first.session!.sessionId, second.session!.sessionId];

    const queues = await http.get("/v1/me/queues", carol);
    expect(queues.status).toBe(200);
    const team = queues.body.queues?.find((q) => q.target.id === "q1");
    expect(team?.waiting.map((s) => s.sessionId)).toEqual(ids);
    expect(team?.waiting[0]?.position).toMatchObject({ position: 1, queueLength: 2 });
    expect(team?.waiting[1]?.position).toMatchObject({ position: 2, queueLength: 2 });
    expect(team?.waiting[0]?.waitingMs).toBeGreaterThanOrEqual(0);
    expect(team?.waiting[0]?.position?.estimate.known).toEqual(expect.any(Boolean));
    expect(queues.body.queues?.find((q) => q.target.kind === "rep")).toMatchObject({ target: { id: "carol" } });

    const pulled = await http.post("/v1/me/next-session", carol);
    expect(pulled.status).toBe(200);
    expect(pulled.body.session).toMatchObject({ sessionId: ids[0], state: "active", repId: "carol" });

    const multi = await http.put("/v1/me/capacity", carol, { mode: "multi", sessions: 3 });
    expect(multi.body.rep?.capacity).toBe(3);
    const away = await http.put("/v1/me/state", carol, { state: "away", reason: "lunch" });
    expect(away.body.rep).toMatchObject({ state: "away", reason: "lunch", teamIds: ["q1"] });
    expect((await http.get("/v1/me", carol)).body.rep?.load).toBe(1);

    expect((await http.post("/v1/me/logout", carol)).status).toBe(204);
    expect((await http.get("/v1/me", carol)).body.rep?.state ?? "offline").toBe("offline");
  });

  it("rejects an offer: the session waits again, with its position", async () => {
    const created = await stack.broker.createSession(issueRequest(siteId));
    const sessionId = created.session!.sessionId;
    await http.post("/v1/me/heartbeat", alice, { connectionId: "alice-desk-1" });
    const offer = await offerOf(alice, sessionId);
    expect((await http.post(`/v1/sessions/${sessionId}/reject`, alice, { epoch: offer.epoch })).status).toBe(204);
    const waiting = await eventually(async () => {
      const seen = await http.get(`/v1/sessions/${sessionId}`, alice);
      return seen.body.session?.state === "waiting" ? seen : undefined;
    });
    expect(waiting.body.position).toMatchObject({ position: 1 });
    // Never offered to alice again: she ends it for the customer.
    expect(
      (await http.post(`/v1/sessions/${sessionId}/end`, await issuer.token(siteId, "sam", ["supervisor"]))).status,
    ).toBe(200);
  });

  it("creates a session key and an invitation link, invites a rep and hands over control", async () => {
    const key = await http.post("/v1/session-keys", alice, {});
    expect(key.status).toBe(201);
    expect(key.body.sessionKey).toEqual(expect.any(String));
    expect(key.body.displayKey).toEqual(expect.any(String));
    const invitation = await http.post("/v1/invitations", alice, { channel: "chat", customerName: "Dana" });
    expect(invitation.status).toBe(201);
    expect(invitation.body.invitationId).toEqual(expect.any(String));
    expect(invitation.body.url).toEqual(expect.any(String));

    await http.put("/v1/me/state", alice, { state: "available" });
    await http.post("/v1/me/heartbeat", alice, { connectionId: "alice-desk-1" });
    const created = await stack.broker.createSession(issueRequest(siteId));
    const sessionId = created.session!.sessionId;
    const offer = await offerOf(alice, sessionId);
    expect((await http.post(`/v1/sessions/${sessionId}/accept`, alice, { epoch: offer.epoch })).status).toBe(200);

    const invited = await http.post(`/v1/sessions/${sessionId}/invitations`, alice, { invitee: { repId: "bob" } });
    expect(invited.status).toBe(201);
    const joined = await http.post(
      `/v1/sessions/${sessionId}/invitations/${invited.body.invitationId ?? ""}/answer`,
      bob,
      {
        accepted: true,
      },
    );
    expect(joined.status).toBe(200);
    const handed = await http.post(`/v1/sessions/${sessionId}/control`, alice, { toRepId: "bob" });
    expect(handed.status).toBe(200);
    expect(handed.body.session?.participants).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ repId: "bob", primary: true }),
        expect.objectContaining({ repId: "alice", primary: false }),
      ]),
    );
    const left = await http.post(`/v1/sessions/${sessionId}/leave`, alice);
    expect(left.status).toBe(200);
    expect((await http.post(`/v1/sessions/${sessionId}/end`, bob)).body.session?.state).toBe("ended");
  });
});
