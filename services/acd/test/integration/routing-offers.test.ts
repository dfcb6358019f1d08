import { status } from "@grpc/grpc-js";
import { RoutingStrategy, SessionState } from "@handoff/proto/common";
import { beforeAll, describe, expect, it } from "vitest";
import { subscribeOffers, type Acd } from "../support/acd-client";
import { grpcError, redisBackends, runAcd } from "../support/acd-under-test";
import { enqueueInTeam, repOnline, team, teamTarget } from "../support/routing-fixture";

describe.each(redisBackends)("acd offers on %s", (_name, redisEnv) => {
  const running = runAcd(redisEnv);
  let acd: Acd;
  beforeAll(() => {
    acd = running.acd;
  });
  const siteWith = running.siteWith;

  it("offers a new session at once to an available rep, who receives it on his subscription", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "alice", ["support"]);
    const inbox = await subscribeOffers(acd, siteId, ["alice"]);
    const placed = await enqueueInTeam(acd, siteId, "s1");
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
    await enqueueInTeam(acd, siteId, "early");
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
    await enqueueInTeam(acd, siteId, "once");
    await second.next((o) => o.sessionId === "once");
    expect(first.offers).toHaveLength(0);
    second.close();
  });

  it("puts a rejected session back at its place and never offers it to that rep again", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "gina", ["support"]);
    await enqueueInTeam(acd, siteId, "r1");
    await enqueueInTeam(acd, siteId, "r2");
    await acd.rejectOffer({ siteId, sessionId: "r1", repId: "gina", epoch: 1 });
    // gina is free again: she gets r2, not r1; r1 is first in line for the next rep.
    expect((await acd.getSessionRouting({ siteId, sessionId: "r2" })).repId).toBe("gina");
    expect((await acd.getQueuePosition({ siteId, sessionId: "r1", recordEstimate: false })).position!.position).toBe(1);
    await repOnline(acd, siteId, "hank", ["support"]);
    expect((await acd.getSessionRouting({ siteId, sessionId: "r1" })).repId).toBe("hank");
  });

  it("refuses a stale fencing token with FAILED_PRECONDITION, so a late accept never assigns twice", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "ivy", ["support"]);
    await repOnline(acd, siteId, "jack", ["support"]);
    await enqueueInTeam(acd, siteId, "f");
    const first = await acd.getSessionRouting({ siteId, sessionId: "f" });
    await acd.rejectOffer({ siteId, sessionId: "f", repId: first.repId, epoch: first.epoch });
    const second = await acd.getSessionRouting({ siteId, sessionId: "f" });
    expect(second.epoch).toBeGreaterThan(first.epoch);
    const stale = await grpcError(acd.acceptOffer({ siteId, sessionId: "f", repId: first.repId, epoch: first.epoch }));
    expect(stale.code).toBe(status.FAILED_PRECONDITION);
    await acd.acceptOffer({ siteId, sessionId: "f", repId: second.repId, epoch: second.epoch });
    // Issue 7: a retried accept that was already applied succeeds again and changes nothing (it was
    // refused with FAILED_PRECONDITION before); a late accept of the first offer stays refused.
    await acd.acceptOffer({ siteId, sessionId: "f", repId: second.repId, epoch: second.epoch });
    expect(await acd.getSessionRouting({ siteId, sessionId: "f" })).toMatchObject({
      state: SessionState.SESSION_STATE_ACTIVE,
      repId: second.repId,
      epoch: second.epoch,
    });
    const late = await grpcError(acd.acceptOffer({ siteId, sessionId: "f", repId: first.repId, epoch: first.epoch }));
    expect(late.code).toBe(status.FAILED_PRECONDITION);
  });

  it("lets an unanswered offer expire, marks the rep not-responding and offers the session to another rep", async () => {
    const siteId = await siteWith([team("support", { offerTimeoutMs: 300 })]);
    await repOnline(acd, siteId, "kim", ["support"]);
    await enqueueInTeam(acd, siteId, "e");
    await repOnline(acd, siteId, "lee", ["support"]);
    const inbox = await subscribeOffers(acd, siteId, ["lee"]);
    const offer = await inbox.next((o) => o.sessionId === "e", 5_000);
    expect(offer.decision!.trigger).toBe("expiry");
    // kim gets nothing more until presence makes him routable again.
    await enqueueInTeam(acd, siteId, "e2");
    expect((await acd.getSessionRouting({ siteId, sessionId: "e2" })).state).toBe(SessionState.SESSION_STATE_WAITING);
    await repOnline(acd, siteId, "kim", ["support"]);
    expect((await acd.getSessionRouting({ siteId, sessionId: "e2" })).repId).toBe("kim");
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
    const staleEnd = await grpcError(acd.endSession({ siteId, sessionId: "t", repId: "nina", epoch: 1 }));
    expect(staleEnd.code).toBe(status.FAILED_PRECONDITION);
    await repOnline(acd, siteId, "omar", ["billing"]);
    expect((await acd.getSessionRouting({ siteId, sessionId: "t" })).repId).toBe("omar");
  });

  it("lets a waiting customer abandon, and frees the rep when an offered one leaves", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "pia", ["support"]);
    await enqueueInTeam(acd, siteId, "x1");
    await enqueueInTeam(acd, siteId, "x2");
    await acd.abandonSession({ siteId, sessionId: "x1", reason: 1 });
    expect((await acd.getSessionRouting({ siteId, sessionId: "x1" })).state).toBe(SessionState.SESSION_STATE_ABANDONED);
    expect((await acd.getSessionRouting({ siteId, sessionId: "x2" })).repId).toBe("pia");
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
    const placed = await enqueueInTeam(acd, siteId, "v");
    expect(placed.offeredRepId).toBe("");
  });

  it("withdraws a disconnected rep's pending offer and re-routes it", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "uma", ["support"]);
    await enqueueInTeam(acd, siteId, "w");
    await repOnline(acd, siteId, "vic", ["support"]);
    await acd.setRepCapacity({
      siteId,
      repId: "uma",
      teamIds: ["support"],
      skills: [],
      routableCapacity: 1,
      version: 9_000,
      connected: false,
    });
    expect((await acd.getSessionRouting({ siteId, sessionId: "w" })).repId).toBe("vic");
  });
});
