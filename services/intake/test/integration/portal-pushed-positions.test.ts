import { Actor } from "@handoff/proto/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, PortalStack } from "../support/portal-stack";
import { demoRouting } from "../support/portal-configs";
import { issueStart as issue, openPortal as portalConfig } from "../support/portal-fixtures";

/**
 * The acd's routing events reach intake's queue watch through Kafka (the acd's outbox relay, then the
 * consumer's fetch): under CI's load that takes up to a few seconds, far below the refresh interval.
 */
const PUSH_BOUND_MS = 10_000;

let stack: PortalStack;
beforeAll(async () => {
  // The safety refresh is 10 minutes: only a pushed queue change can move a position within the test.
  stack = await PortalStack.start({ POSITION_REFRESH_MS: "600000" });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

const supervisor = { actor: Actor.ACTOR_SUPERVISOR, id: "sup", customerToken: "" };

describe("positions pushed from queue events", () => {
  it("moves a waiting customer up within the bound after the one ahead of him is served, with the refresh off", async () => {
    const siteId = await stack.site(demoRouting(), portalConfig());
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    const first = await stack.startSession(siteId, issue("Ann"));
    const second = await stack.startSession(siteId, issue("Ben"));
    const third = await stack.startSession(siteId, issue("Cid"));
    const streams = [await stack.stream(siteId, second), await stack.stream(siteId, third)];
    for (const stream of streams) await stream.next((f) => f.event === "status");

    const broker = stack.sessions.broker;
    const alice = { actor: Actor.ACTOR_REP, id: "alice", customerToken: "" };
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
    const framesBefore = streams.map((s) => s.frames.length);
    const servedAt = Date.now();
    await broker.closeSession({ siteId, sessionId: first.sessionId, requester: alice, reason: 0, abandonReason: 0 });

    // Alice is free: Ben is offered (his stream says so), Cid moves from 2 to 1.
    await streams[0]!.next((f) => f.event === "offered", PUSH_BOUND_MS, framesBefore[0]);
    const moved = await streams[1]!.next((f) => f.event === "position", PUSH_BOUND_MS, framesBefore[1]);
    expect(moved.data).toMatchObject({ position: 1, queueLength: 1 });
    expect(Date.now() - servedAt).toBeLessThan(PUSH_BOUND_MS);
    // A frame only for a change: the several events of one serve (ended, offer created) repeat nothing.
    const positions = streams[1]!.frames.filter((f) => f.event === "position").map((f) => JSON.stringify(f.data));
    positions.forEach((p, i) => expect(p).not.toBe(positions[i - 1]));
    for (const stream of streams) stream.close();
  });

  it("tells a waiting customer his queue grew when another customer queues behind him", async () => {
    const siteId = await stack.site(demoRouting(), portalConfig());
    // Alice's one unit goes to the first customer's offer: the others wait.
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    await stack.startSession(siteId, issue("Ann"));
    const waiting = await stack.startSession(siteId, issue("Ben"));
    const stream = await stack.stream(siteId, waiting);
    expect((await stream.next((f) => f.event === "status")).data).toMatchObject({
      position: { position: 1, queueLength: 1 },
    });
    const from = stream.frames.length;
    await stack.startSession(siteId, issue("Cid"));
    const grown = await stream.next((f) => f.event === "position", PUSH_BOUND_MS, from);
    expect(grown.data).toMatchObject({ position: 1, queueLength: 2 });
    stream.close();
  });
});
