import { Actor, Permission } from "@handoff/proto/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, PortalStack } from "../support/portal-stack";
import { demoRouting } from "../support/portal-configs";
import { AGREEMENT, issueStart as issue, openPortal as portalConfig } from "../support/portal-fixtures";

let stack: PortalStack;
beforeAll(async () => {
  stack = await PortalStack.start();
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const supervisor = { actor: Actor.ACTOR_SUPERVISOR, id: "sup", customerToken: "" };

describe("the public portal", () => {
  it("lists the reps logged in, starts by issue, streams the position falling as others are served, and lets the customer leave", async () => {
    const named = [
      { repId: "bob", displayName: "Bob B." },
      { repId: "alice", displayName: "Alice A." },
    ];
    const siteId = await stack.site(demoRouting(), portalConfig({ reps: named }));
    await stack.sessions.repOnline(siteId, "alice", ["support"]);

    const portal = await stack.call("GET", `/v1/sites/${siteId}/portal`);
    expect(portal.status).toBe(200);
    // Bob is not logged in: only Alice, by the name the site gave her.
    expect(portal.body).toMatchObject({
      open: true,
      reps: [{ repId: "alice", displayName: "Alice A." }],
      problemTypes: [
        { id: "printer", label: "Printer" },
        { id: "invoice", label: "Invoice" },
      ],
      agreement: { version: AGREEMENT },
      recordingPrompt: "May we record this session?",
      startMethods: { repList: true, issue: true, sessionKey: true, invitationLink: true },
    });

    const first = await stack.startSession(siteId, issue("Ann"));
    const second = await stack.startSession(siteId, issue("Ben"));
    const third = await stack.startSession(siteId, issue("Cid"));
    expect(third).toMatchObject({ state: "waiting", position: { position: 2 } });
    expect(third.customerToken.length).toBeGreaterThanOrEqual(22);

    const stream = await stack.stream(siteId, third);
    expect((await stream.next((f) => f.event === "status")).data).toMatchObject({
      state: "waiting",
      position: { position: 2 },
    });
    expect((await stream.next((f) => f.event === "greeting")).data).toEqual({ text: "Hello, you are number 2." });

    // Alice serves the first customer, then ends: the second is offered, the third moves up.
    const broker = stack.sessions.broker;
    const offered = await eventually(async () => {
      const read = await broker.getSession({ siteId, sessionId: first.sessionId, requester: supervisor });
      expect(read.session?.repId).toBe("alice");
      return read;
    });
    await broker.acceptSessionOffer({
      siteId,
      sessionId: first.sessionId,
      repId: "alice",
      epoch: offered.session!.epoch,
    });
    await broker.closeSession({
      siteId,
      sessionId: first.sessionId,
      requester: { actor: Actor.ACTOR_REP, id: "alice", customerToken: "" },
      reason: 0,
      abandonReason: 0,
    });
    expect((await stream.next((f) => f.event === "position")).data).toMatchObject({ position: 1 });

    const left = await stack.call("POST", `/v1/sites/${siteId}/sessions/${third.sessionId}/end`, {
      token: third.customerToken,
      body: {},
    });
    expect(left).toMatchObject({ status: 200, body: { state: "abandoned" } });
    expect((await stream.next((f) => f.event === "end")).data).toEqual({
      reason: "abandoned",
      abandonReason: "customer_left",
      survey: false,
    });
    expect(second.state).toBe("waiting");
    stream.close();
  });

  it("relays the session: acceptance, chat both ways, a permission granted then stopped, a nudge, the end and the survey; a reconnect resumes after its last id", async () => {
    const siteId = await stack.site(
      demoRouting(),
      portalConfig({ reps: [{ repId: "alice", displayName: "Alice A." }] }),
    );
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    const session = await stack.startSession(siteId, issue("Ann"));
    const broker = stack.sessions.broker;
    const alice = { actor: Actor.ACTOR_REP, id: "alice", customerToken: "" };
    const ids = { siteId, sessionId: session.sessionId };
    const offered = await eventually(async () => {
      const read = await broker.getSession({ ...ids, requester: supervisor });
      expect(read.session?.repId).toBe("alice");
      return read;
    });
    await broker.acceptSessionOffer({ ...ids, repId: "alice", epoch: offered.session!.epoch });

    const path = `/v1/sites/${siteId}/sessions/${session.sessionId}`;
    const as = { token: session.customerToken };
    let stream = await stack.stream(siteId, session);
    // Connected after the accept: the status already names her (the widget's first line says who joined).
    expect((await stream.next((f) => f.event === "status")).data).toMatchObject({
      state: "active",
      repId: "alice",
      displayName: "Alice A.",
    });
    expect((await stream.next((f) => f.event === "accepted")).data).toMatchObject({ repId: "alice" });
    expect(await stack.call("POST", `${path}/messages`, { ...as, body: { text: "Hello?" } })).toMatchObject({
      status: 200,
    });
    await broker.sendChatMessage({ ...ids, requester: alice, text: "Hi Ann, Alice here." });
    expect((await stream.next((f) => f.event === "chat" && f.data.from === "rep")).data).toMatchObject({
      repId: "alice",
      text: "Hi Ann, Alice here.",
    });
    expect((await stream.next((f) => f.event === "chat" && f.data.from === "customer")).data.text).toBe("Hello?");

    const { requestId } = await broker.requestPermission({
      ...ids,
      requester: alice,
      permission: Permission.PERMISSION_VIEW,
      application: "",
    });
    expect((await stream.next((f) => f.event === "permission")).data).toEqual({
      requestId,
      permission: "view",
      application: "",
      change: "requested",
    });
    const granted = await stack.call("POST", `${path}/permission-requests/${requestId}`, {
      ...as,
      body: { granted: true },
    });
    expect(granted).toMatchObject({ status: 200, body: { granted: [{ permission: "view", application: "" }] } });
    const stopped = await stack.call("POST", `${path}/permissions/revoke`, { ...as, body: { permission: "all" } });
    expect(stopped).toMatchObject({ status: 200, body: { granted: [] } });
    await stream.next((f) => f.event === "permission" && f.data.change === "revoked");
    await broker.nudge({ ...ids, requester: alice });
    const nudge = await stream.next((f) => f.event === "nudge");

    // The page reloads: the new stream starts after the last frame it saw, nothing twice.
    stream.close();
    await broker.sendChatMessage({ ...ids, requester: alice, text: "Still there?" });
    stream = await stack.stream(siteId, session, nudge.id);
    const resumed = await stream.next((f) => f.event === "chat");
    expect(resumed.data.text).toBe("Still there?");
    expect(Number(resumed.id)).toBeGreaterThan(Number(nudge.id));
    expect(stream.frames.filter((f) => f.id !== undefined && Number(f.id) <= Number(nudge.id))).toEqual([]);

    await broker.closeSession({ ...ids, requester: alice, reason: 0, abandonReason: 0 });
    expect((await stream.next((f) => f.event === "end")).data).toEqual({
      reason: "ended_by_rep",
      abandonReason: null,
      survey: true,
    });
    expect(
      await stack.call("POST", `${path}/survey`, { ...as, body: { satisfaction: 5, comment: "Quick!" } }),
    ).toMatchObject({ status: 204 });
    expect(await stack.call("POST", `${path}/survey`, { ...as, body: { satisfaction: 1 } })).toMatchObject({
      status: 409,
    });
    stream.close();
  });

  it("refuses a session's calls without its token or with another session's", async () => {
    const siteId = await stack.site(demoRouting(), portalConfig());
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    const mine = await stack.startSession(siteId, issue("Ann"));
    const other = await stack.startSession(siteId, issue("Ben"));
    const path = `/v1/sites/${siteId}/sessions/${mine.sessionId}`;
    expect(await stack.call("GET", path)).toMatchObject({ status: 401, body: { reason: "TOKEN_REQUIRED" } });
    expect(await stack.call("GET", path, { token: other.customerToken })).toMatchObject({
      status: 404,
      body: { reason: "SESSION_NOT_FOUND" },
    });
    expect(await stack.call("GET", path, { token: mine.customerToken })).toMatchObject({ status: 200 });
  });

  it("shows automatic notices, pushes a supervisor's notice to everyone waiting, repeats the hold message, and leaving from a notice skips the survey", async () => {
    const outage = { id: "outage", text: "Printers are slow today.", delivery: "automatic" as const };
    const siteId = await stack.site(demoRouting(), portalConfig({ notices: [outage] }));
    expect(((await stack.call("GET", `/v1/sites/${siteId}/portal`)).body as { notices: unknown }).notices).toEqual([
      { id: "outage", text: "Printers are slow today." },
    ]);
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    await stack.startSession(siteId, issue("Ann"));
    const waiting = await stack.startSession(siteId, issue("Ben"));
    expect(waiting.state).toBe("waiting");
    const stream = await stack.stream(siteId, waiting);
    expect((await stream.next((f) => f.event === "notice")).data).toEqual({
      ...outage,
      delivery: undefined,
      pushed: false,
    });

    const closing = { id: "closing", text: "We close in ten minutes.", delivery: "pushed" as const };
    await stack.updatePortal(siteId, portalConfig({ notices: [outage, closing] }));
    expect((await stream.next((f) => f.event === "notice" && f.data.id === "closing")).data).toEqual({
      id: "closing",
      text: "We close in ten minutes.",
      pushed: true,
    });
    expect((await stream.next((f) => f.event === "hold", 20_000)).data).toEqual({ text: "Still number 1." });

    const path = `/v1/sites/${siteId}/sessions/${waiting.sessionId}`;
    const left = await stack.call("POST", `${path}/end`, { token: waiting.customerToken, body: { reason: "notice" } });
    expect(left).toMatchObject({ status: 200, body: { endReason: "notice_exit" } });
    expect((await stream.next((f) => f.event === "end")).data).toMatchObject({ reason: "notice_exit", survey: false });
    expect(
      await stack.call("POST", `${path}/survey`, { token: waiting.customerToken, body: { satisfaction: 3 } }),
    ).toMatchObject({ status: 409 });
  }, 60_000);
});
