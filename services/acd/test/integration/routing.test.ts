import { status, type ServiceError } from "@grpc/grpc-js";
import { RoutingStrategy, SessionState } from "@handoff/proto/common";
import { infrastructureEnv, startService, type ServiceProcess } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAcd, subscribeOffers, type Acd } from "../support/acd-client";
import { newSite, repOnline, repTarget, team, teamTarget } from "../support/routing-fixture";

const backends = [
  ["a single Redis", () => ({ REDIS_URL: infrastructureEnv().REDIS_URL })],
  ["a 3-master Redis Cluster", () => ({ REDIS_CLUSTER_NODES: infrastructureEnv().REDIS_CLUSTER_NODES })],
] as const;

async function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("expected the call to fail");
}

describe.each(backends)("acd routing on %s", (_name, redisEnv) => {
  let service: ServiceProcess;
  let acd: Acd;
  beforeAll(async () => {
    service = await startService("acd", { ...redisEnv(), KAFKA_BROKERS: infrastructureEnv().KAFKA_BROKERS });
    acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
  });
  afterAll(async () => {
    acd.close();
    await service.stop();
  });

  async function siteWith(
    teams = [team("support")],
    problemTypes: { id: string; label: string; teamId: string; priority: number; requiredSkills: string[] }[] = [],
  ) {
    const siteId = newSite();
    await acd.putRoutingConfig({ siteId, config: { teams, problemTypes, version: 0 } });
    return siteId;
  }

  it("offers a new session at once to an available rep, who receives it on his subscription", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "alice", ["support"]);
    const inbox = await subscribeOffers(acd, siteId, ["alice"]);
    const placed = await acd.enqueueSession({
      siteId,
      sessionId: "s1",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    expect(placed.offeredRepId).toBe("alice");
    const offer = await inbox.next((o) => o.sessionId === "s1");
    expect(offer).toMatchObject({
      repId: "alice",
      epoch: 1,
      decision: { strategy: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE, trigger: "enqueue" },
    });
    expect(offer.decision!.candidatesConsidered).toBeGreaterThanOrEqual(1);
    inbox.close();
  });

  it("sends a subscriber that connects late the offers already pending for his reps", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "late", ["support"]);
    await acd.enqueueSession({
      siteId,
      sessionId: "early",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    const inbox = await subscribeOffers(acd, siteId, ["late"]);
    expect(await inbox.next((o) => o.sessionId === "early")).toMatchObject({ repId: "late", epoch: 1 });
    inbox.close();
  });

  it("ends an older subscription when the same subscriber subscribes again", async () => {
    const siteId = await siteWith();
    const first = await subscribeOffers(acd, siteId, ["zed"], "broker-1");
    const second = await subscribeOffers(acd, siteId, ["zed"], "broker-1");
    await first.ended;
    await repOnline(acd, siteId, "zed", ["support"]);
    await acd.enqueueSession({
      siteId,
      sessionId: "once",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await second.next((o) => o.sessionId === "once");
    expect(first.offers).toHaveLength(0);
    second.close();
  });

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
    expect((await acd.getQueuePosition({ siteId, sessionId: "high" })).position!.position).toBe(1);
    expect((await acd.getQueuePosition({ siteId, sessionId: "low-1" })).position!.position).toBe(2);
    expect((await acd.getQueuePosition({ siteId, sessionId: "low-2" })).position!.position).toBe(3);
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
    const first = await acd.enqueueSession({
      siteId,
      sessionId: "a",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    expect(first.offeredRepId).toBe("carol");
    await acd.enqueueSession({
      siteId,
      sessionId: "b",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await acd.enqueueSession({
      siteId,
      sessionId: "c",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await acd.acceptOffer({ siteId, sessionId: "a", repId: "carol", epoch: 1 });
    await acd.endSession({ siteId, sessionId: "a", epoch: 1 });
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

  it("puts a rejected session back at its place and never offers it to that rep again", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "gina", ["support"]);
    await acd.enqueueSession({
      siteId,
      sessionId: "r1",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await acd.enqueueSession({
      siteId,
      sessionId: "r2",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await acd.rejectOffer({ siteId, sessionId: "r1", repId: "gina", epoch: 1 });
    // gina is free again: she gets r2, not r1; r1 is first in line for the next rep.
    expect((await acd.getSessionRouting({ siteId, sessionId: "r2" })).repId).toBe("gina");
    expect((await acd.getQueuePosition({ siteId, sessionId: "r1" })).position!.position).toBe(1);
    await repOnline(acd, siteId, "hank", ["support"]);
    expect((await acd.getSessionRouting({ siteId, sessionId: "r1" })).repId).toBe("hank");
  });

  it("refuses a stale fencing token with FAILED_PRECONDITION, so a late accept never assigns twice", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "ivy", ["support"]);
    await repOnline(acd, siteId, "jack", ["support"]);
    await acd.enqueueSession({
      siteId,
      sessionId: "f",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    const first = await acd.getSessionRouting({ siteId, sessionId: "f" });
    await acd.rejectOffer({ siteId, sessionId: "f", repId: first.repId, epoch: first.epoch });
    const second = await acd.getSessionRouting({ siteId, sessionId: "f" });
    expect(second.epoch).toBeGreaterThan(first.epoch);
    const stale = await grpcError(acd.acceptOffer({ siteId, sessionId: "f", repId: first.repId, epoch: first.epoch }));
    expect(stale.code).toBe(status.FAILED_PRECONDITION);
    await acd.acceptOffer({ siteId, sessionId: "f", repId: second.repId, epoch: second.epoch });
    const duplicate = await grpcError(
      acd.acceptOffer({ siteId, sessionId: "f", repId: second.repId, epoch: second.epoch }),
    );
    expect(duplicate.code).toBe(status.FAILED_PRECONDITION);
  });

  it("lets an unanswered offer expire, marks the rep not-responding and offers the session to another rep", async () => {
    const siteId = await siteWith([team("support", { offerTimeoutMs: 300 })]);
    await repOnline(acd, siteId, "kim", ["support"]);
    await acd.enqueueSession({
      siteId,
      sessionId: "e",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await repOnline(acd, siteId, "lee", ["support"]);
    const inbox = await subscribeOffers(acd, siteId, ["lee"]);
    const offer = await inbox.next((o) => o.sessionId === "e", 5_000);
    expect(offer.decision!.trigger).toBe("expiry");
    // kim gets nothing more until presence makes him routable again.
    await acd.enqueueSession({
      siteId,
      sessionId: "e2",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    expect((await acd.getSessionRouting({ siteId, sessionId: "e2" })).state).toBe(SessionState.SESSION_STATE_WAITING);
    await repOnline(acd, siteId, "kim", ["support"]);
    expect((await acd.getSessionRouting({ siteId, sessionId: "e2" })).repId).toBe("kim");
    inbox.close();
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

  it("transfers an active session to another team with its boost, not back to the same rep", async () => {
    const siteId = await siteWith([
      team("support"),
      team("billing", { transferPriorityBoost: 3, transferKeepsWaitTime: true }),
    ]);
    await repOnline(acd, siteId, "nina", ["support", "billing"]);
    await acd.enqueueSession({
      siteId,
      sessionId: "t",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 1,
      requiredSkills: [],
    });
    await acd.acceptOffer({ siteId, sessionId: "t", repId: "nina", epoch: 1 });
    const moved = await acd.transferSession({ siteId, sessionId: "t", epoch: 1, target: teamTarget("billing") });
    expect(moved.position!.position).toBe(1);
    const routing = await acd.getSessionRouting({ siteId, sessionId: "t" });
    expect(routing).toMatchObject({ state: SessionState.SESSION_STATE_WAITING, priority: 4, epoch: 2 });
    const staleEnd = await grpcError(acd.endSession({ siteId, sessionId: "t", epoch: 1 }));
    expect(staleEnd.code).toBe(status.FAILED_PRECONDITION);
    await repOnline(acd, siteId, "omar", ["billing"]);
    expect((await acd.getSessionRouting({ siteId, sessionId: "t" })).repId).toBe("omar");
  });

  it("lets a waiting customer abandon, and frees the rep when an offered one leaves", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "pia", ["support"]);
    await acd.enqueueSession({
      siteId,
      sessionId: "x1",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await acd.enqueueSession({
      siteId,
      sessionId: "x2",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await acd.abandonSession({ siteId, sessionId: "x1", reason: 1 });
    expect((await acd.getSessionRouting({ siteId, sessionId: "x1" })).state).toBe(SessionState.SESSION_STATE_ABANDONED);
    expect((await acd.getSessionRouting({ siteId, sessionId: "x2" })).repId).toBe("pia");
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

  it("ignores a capacity update older than the one it has", async () => {
    const siteId = await siteWith();
    const base = { siteId, repId: "tom", teamIds: ["support"], skills: [], connected: true };
    expect(await acd.setRepCapacity({ ...base, routableCapacity: 0, version: 5 })).toEqual({
      applied: true,
      storedVersion: 5,
    });
    expect(await acd.setRepCapacity({ ...base, routableCapacity: 1, version: 4 })).toEqual({
      applied: false,
      storedVersion: 5,
    });
    const placed = await acd.enqueueSession({
      siteId,
      sessionId: "v",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    expect(placed.offeredRepId).toBe("");
  });

  it("withdraws a disconnected rep's pending offer and re-routes it", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "uma", ["support"]);
    await acd.enqueueSession({
      siteId,
      sessionId: "w",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await repOnline(acd, siteId, "vic", ["support"]);
    await acd.setRepCapacity({
      siteId,
      repId: "uma",
      teamIds: ["support"],
      skills: [],
      routableCapacity: 1,
      version: Date.now() + 1e9,
      connected: false,
    });
    expect((await acd.getSessionRouting({ siteId, sessionId: "w" })).repId).toBe("vic");
  });

  it("rebuilds queues from waiting sessions, keeping their order and skipping known ones", async () => {
    const siteId = await siteWith();
    await acd.enqueueSession({
      siteId,
      sessionId: "known",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
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
        },
        {
          sessionId: "earlier",
          target: teamTarget("support"),
          problemTypeId: "",
          priority: 0,
          requiredSkills: [],
          enqueuedAtMs: now - 5_000,
        },
        {
          sessionId: "known",
          target: teamTarget("support"),
          problemTypeId: "",
          priority: 0,
          requiredSkills: [],
          enqueuedAtMs: now,
        },
      ],
    });
    expect(result).toEqual({ restored: 2, skipped: 1 });
    expect((await acd.getQueuePosition({ siteId, sessionId: "earlier" })).position!.position).toBe(1);
    expect((await acd.getQueuePosition({ siteId, sessionId: "later" })).position!.position).toBe(2);
    expect((await acd.getQueuePosition({ siteId, sessionId: "known" })).position!.position).toBe(3);
  });

  it("gives a position with a P50/P90 wait estimate once handle times are known", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "wes", ["support"]);
    for (let i = 0; i < 6; i++) {
      await acd.enqueueSession({
        siteId,
        sessionId: `h${i}`,
        target: teamTarget("support"),
        problemTypeId: "",
        priority: 0,
        requiredSkills: [],
      });
      await acd.acceptOffer({ siteId, sessionId: `h${i}`, repId: "wes", epoch: 1 });
      await new Promise((r) => setTimeout(r, 20));
      await acd.endSession({ siteId, sessionId: `h${i}`, epoch: 1 });
    }
    await acd.enqueueSession({
      siteId,
      sessionId: "busy",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    await acd.acceptOffer({ siteId, sessionId: "busy", repId: "wes", epoch: 1 });
    await acd.enqueueSession({
      siteId,
      sessionId: "w1",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    const { position } = await acd.getQueuePosition({ siteId, sessionId: "w1" });
    expect(position).toMatchObject({ position: 1, queueLength: 1, estimate: { known: true } });
    expect(position!.estimate!.p90Ms).toBeGreaterThanOrEqual(position!.estimate!.p50Ms);
    expect(position!.estimate!.p50Ms).toBeGreaterThan(0);
  });
});
