import { Actor } from "@handoff/proto/common";
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
    const siteId = await stack.site(demoRouting(), portalConfig());
    await stack.sessions.repOnline(siteId, "alice", ["support"]);

    const portal = await stack.call("GET", `/v1/sites/${siteId}/portal`);
    expect(portal.status).toBe(200);
    expect(portal.body).toMatchObject({
      open: true,
      reps: [{ repId: "alice", displayName: "alice" }],
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
});
