import { RoutingStrategy, SessionState } from "@handoff/proto/common";
import { beforeAll, describe, expect, it } from "vitest";
import { subscribeOffers, type Acd } from "../support/acd-client";
import { redisBackends, runAcd } from "../support/acd-under-test";
import { enqueueInTeam, repOnline, repTarget, team, teamTarget } from "../support/routing-fixture";

describe.each(redisBackends)("acd queues on %s", (_name, redisEnv) => {
  const running = runAcd(redisEnv);
  let acd: Acd;
  beforeAll(() => {
    acd = running.acd;
  });
  const siteWith = running.siteWith;

  it("orders a queue by priority, then first come first served", async () => {
    const siteId = await siteWith();
    for (const [id, priority] of [
      ["low-1", 1],
      ["high", 5],
      ["low-2", 1],
    ] as const) {
      await acd.enqueueSession({
        siteId,
        sessionId: id,
        target: teamTarget("support"),
        problemTypeId: "",
        priority,
        requiredSkills: [],
      });
    }
    expect((await acd.getQueuePosition({ siteId, sessionId: "high", recordEstimate: false })).position!.position).toBe(
      1,
    );
    expect((await acd.getQueuePosition({ siteId, sessionId: "low-1", recordEstimate: false })).position!.position).toBe(
      2,
    );
    expect((await acd.getQueuePosition({ siteId, sessionId: "low-2", recordEstimate: false })).position!.position).toBe(
      3,
    );
    await repOnline(acd, siteId, "bob", ["support"], 3);
    const routed = await Promise.all(
      ["high", "low-1", "low-2"].map((sessionId) => acd.getSessionRouting({ siteId, sessionId })),
    );
    expect(routed.map((r) => r.state)).toEqual([
      SessionState.SESSION_STATE_OFFERED,
      SessionState.SESSION_STATE_OFFERED,
      SessionState.SESSION_STATE_OFFERED,
    ]);
  });

  it("offers the next session in queue order when capacity frees up", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "carol", ["support"]);
    const first = await enqueueInTeam(acd, siteId, "a");
    expect(first.offeredRepId).toBe("carol");
    await enqueueInTeam(acd, siteId, "b");
    await enqueueInTeam(acd, siteId, "c");
    await acd.acceptOffer({ siteId, sessionId: "a", repId: "carol", epoch: 1 });
    await acd.endSession({ siteId, sessionId: "a", repId: "carol", epoch: 1 });
    expect((await acd.getSessionRouting({ siteId, sessionId: "b" })).state).toBe(SessionState.SESSION_STATE_OFFERED);
    expect((await acd.getSessionRouting({ siteId, sessionId: "c" })).state).toBe(SessionState.SESSION_STATE_WAITING);
  });

  it("serves a rep's personal queue before his team queues", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "dave", ["support"], 0);
    await acd.enqueueSession({
      siteId,
      sessionId: "team-first",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 10,
      requiredSkills: [],
    });
    await acd.enqueueSession({
      siteId,
      sessionId: "personal",
      target: repTarget("dave"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await repOnline(acd, siteId, "dave", ["support"], 1);
    expect((await acd.getSessionRouting({ siteId, sessionId: "personal" })).repId).toBe("dave");
    expect((await acd.getSessionRouting({ siteId, sessionId: "team-first" })).state).toBe(
      SessionState.SESSION_STATE_WAITING,
    );
  });

  it("offers a session that needs skills only to a rep who has all of them", async () => {
    const siteId = await siteWith(
      [team("support")],
      [{ id: "mac", label: "Mac trouble", teamId: "support", priority: 2, requiredSkills: ["macos", "french"] }],
    );
    await repOnline(acd, siteId, "erin", ["support"], 1, ["macos"]);
    const placed = await acd.enqueueSession({
      siteId,
      sessionId: "m",
      problemTypeId: "mac",
      priority: 0,
      requiredSkills: [],
    });
    expect(placed.offeredRepId).toBe("");
    await repOnline(acd, siteId, "frank", ["support"], 1, ["french", "macos"]);
    expect((await acd.getSessionRouting({ siteId, sessionId: "m" })).repId).toBe("frank");
  });

  it("overflows a waiting session to another team after the configured wait", async () => {
    const siteId = await siteWith([
      team("tier1", { overflow: [{ afterMs: 300, addTeamIds: ["tier2"], priorityIncrease: 5 }] }),
      team("tier2"),
    ]);
    await repOnline(acd, siteId, "max", ["tier2"]);
    const placed = await acd.enqueueSession({
      siteId,
      sessionId: "o",
      target: teamTarget("tier1"),
      problemTypeId: "",
      priority: 1,
      requiredSkills: [],
    });
    expect(placed.offeredRepId).toBe("");
    const inbox = await subscribeOffers(acd, siteId, ["max"]);
    const offer = await inbox.next((o) => o.sessionId === "o", 5_000);
    expect(offer.decision!.trigger).toBe("overflow");
    expect((await acd.getSessionRouting({ siteId, sessionId: "o" })).priority).toBe(6);
    inbox.close();
  });

  it("never pushes sessions of a manual team; the rep pulls the next one", async () => {
    const siteId = await siteWith([team("desk", { strategy: RoutingStrategy.ROUTING_STRATEGY_MANUAL })]);
    await repOnline(acd, siteId, "quinn", ["desk"]);
    const placed = await acd.enqueueSession({
      siteId,
      sessionId: "p1",
      target: teamTarget("desk"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    expect(placed.offeredRepId).toBe("");
    const pulled = await acd.pullNextSession({ siteId, repId: "quinn" });
    expect(pulled.offer).toMatchObject({ sessionId: "p1", repId: "quinn", epoch: 1 });
    expect((await acd.pullNextSession({ siteId, repId: "quinn" })).offer).toBeUndefined();
  });

  it("reports team availability so intake can say at once that no rep is there", async () => {
    const siteId = await siteWith();
    expect(await acd.getTeamAvailability({ siteId, teamId: "support" })).toEqual({
      loggedIn: 0,
      routable: 0,
      withFreeCapacity: 0,
      waiting: 0,
    });
    await repOnline(acd, siteId, "rita", ["support"], 2);
    await acd.setRepCapacity({
      siteId,
      repId: "sam",
      teamIds: ["support"],
      skills: [],
      routableCapacity: 0,
      version: 1,
      connected: true,
    });
    expect(await acd.getTeamAvailability({ siteId, teamId: "support" })).toEqual({
      loggedIn: 2,
      routable: 1,
      withFreeCapacity: 1,
      waiting: 0,
    });
  });

  it("rebuilds queues from waiting sessions, keeping their order and skipping known ones", async () => {
    const siteId = await siteWith();
    await enqueueInTeam(acd, siteId, "known");
    const now = Date.now();
    const result = await acd.rebuildQueues({
      siteId,
      sessions: [
        {
          sessionId: "later",
          target: teamTarget("support"),
          problemTypeId: "",
          priority: 0,
          requiredSkills: [],
          enqueuedAtMs: now - 1_000,
          epoch: 0,
        },
        {
          sessionId: "earlier",
          target: teamTarget("support"),
          problemTypeId: "",
          priority: 0,
          requiredSkills: [],
          enqueuedAtMs: now - 5_000,
          epoch: 0,
        },
        {
          sessionId: "known",
          target: teamTarget("support"),
          problemTypeId: "",
          priority: 0,
          requiredSkills: [],
          enqueuedAtMs: now,
          epoch: 0,
        },
      ],
      held: [],
    });
    expect(result).toEqual({ restored: 2, skipped: 1, heldRestored: 0 });
    expect(
      (await acd.getQueuePosition({ siteId, sessionId: "earlier", recordEstimate: false })).position!.position,
    ).toBe(1);
    expect((await acd.getQueuePosition({ siteId, sessionId: "later", recordEstimate: false })).position!.position).toBe(
      2,
    );
    expect((await acd.getQueuePosition({ siteId, sessionId: "known", recordEstimate: false })).position!.position).toBe(
      3,
    );
  });

  it("gives a position with a P50/P90 wait estimate once handle times are known", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "wes", ["support"]);
    for (let i = 0; i < 6; i++) {
      await enqueueInTeam(acd, siteId, `h${i}`);
      await acd.acceptOffer({ siteId, sessionId: `h${i}`, repId: "wes", epoch: 1 });
      await new Promise((r) => setTimeout(r, 20));
      await acd.endSession({ siteId, sessionId: `h${i}`, repId: "wes", epoch: 1 });
    }
    await enqueueInTeam(acd, siteId, "busy");
    await acd.acceptOffer({ siteId, sessionId: "busy", repId: "wes", epoch: 1 });
    await enqueueInTeam(acd, siteId, "w1");
    const { position } = await acd.getQueuePosition({ siteId, sessionId: "w1", recordEstimate: false });
    expect(position).toMatchObject({ position: 1, queueLength: 1, estimate: { known: true } });
    expect(position!.estimate!.p90Ms).toBeGreaterThanOrEqual(position!.estimate!.p50Ms);
    expect(position!.estimate!.p50Ms).toBeGreaterThan(0);
  });
});
