import { status } from "@grpc/grpc-js";
import { RepState } from "@handoff/proto/common";
import { createRedis, errorInfo, errorReason } from "@handoff/runtime";
import { connectPresence, infrastructureEnv, refusal, type Presence } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../support/eventually";
import { PresenceStack } from "../support/presence-stack";
import { newSite, putTeams, team } from "../support/site-fixture";
import { keys } from "../../src/store/keys";

// Issue 11: without credentials any client could put a rep into not-responding through
// ReportOfferExpired or log reps in; now only the callers of presence's table may.
describe("presence's callers", () => {
  let stack: PresenceStack;
  const others: Presence[] = [];
  const as = (identity: "intake" | "reporting" | "session-broker" | "acd"): Presence => {
    const client = connectPresence(`127.0.0.1:${stack.presenceProcess.grpcPort}`, identity);
    others.push(client);
    return client;
  };
  beforeAll(async () => {
    stack = await PresenceStack.start();
  }, 60_000);
  afterAll(async () => {
    others.forEach((client) => client.close());
    await stack?.stop();
  });

  it("lets only the acd report an expired offer, so no other caller can mark a rep not responding", async () => {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [team("support", { memberRepIds: ["ann"] })]);
    await stack.presence.login({ siteId, repId: "ann", teamIds: ["support"], connectionId: "desk" });
    await stack.presence.setState({
      siteId,
      repId: "ann",
      state: RepState.REP_STATE_AVAILABLE,
      reasonCode: "",
      actor: 0,
      actorId: "",
    });
    const before = (await stack.presence.getRep({ siteId, repId: "ann" })).rep;
    for (const identity of ["session-broker", "intake", "reporting"] as const) {
      const refused = await refusal(as(identity).reportOfferExpired({ siteId, repId: "ann", sessionId: "s1" }));
      expect(refused.code).toBe(status.PERMISSION_DENIED);
    }
    expect((await stack.presence.getRep({ siteId, repId: "ann" })).rep).toEqual(before);
  });

  it("lets only the broker log a rep in", async () => {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [team("support", { memberRepIds: ["ben"] })]);
    for (const identity of ["acd", "intake", "reporting"] as const) {
      const refused = await refusal(
        as(identity).login({ siteId, repId: "ben", teamIds: ["support"], connectionId: "desk" }),
      );
      expect(refused.code).toBe(status.PERMISSION_DENIED);
    }
    // Never logged in: presence still does not know him.
    expect((await refusal(stack.presence.getRep({ siteId, repId: "ben" }))).details).toContain("not known to presence");
  });

  it("repairs a rep whose capacity version the acd holds above any presence issued, instead of marking him pushed", async () => {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [team("support", { memberRepIds: ["cy"] })]);
    await stack.presence.login({ siteId, repId: "cy", teamIds: ["support"], connectionId: "desk" });
    // The pin at 2^53−1 is refused by the acd now (a bounded step); the furthest a push can
    // still move the version: capacity 0 at a version presence never issued, as a push from elsewhere
    // or presence's own lost Redis would leave it.
    await waitUntil(async () => (await stack.acd.getRepRouting({ siteId, repId: "cy" })).known, 15_000);
    const pin = { siteId, repId: "cy", teamIds: ["support"], skills: [], routableCapacity: 0, connected: true };
    const refused = await refusal(stack.acd.setRepCapacity({ ...pin, version: Number.MAX_SAFE_INTEGER }));
    expect([refused.code, errorReason(refused)]).toEqual([status.FAILED_PRECONDITION, "VERSION_STEP"]);
    const { stored_version: stored, max_step: step } = errorInfo(refused)!.metadata;
    const pinned = Number(stored) + Number(step);
    await stack.acd.setRepCapacity({ ...pin, version: pinned });
    // Presence's next changes (away, then available again) are pushed and meet the pinned version.
    for (const state of [RepState.REP_STATE_AWAY, RepState.REP_STATE_AVAILABLE])
      await stack.presence.setState({ siteId, repId: "cy", state, reasonCode: "", actor: 0, actorId: "" });
    const routing = () => stack.acd.getRepRouting({ siteId, repId: "cy" });
    await waitUntil(async () => (await routing()).routableCapacity === 1, 15_000);
    const repaired = await routing();
    expect(repaired.routableCapacity).toBe(1);
    expect(repaired.version).toBeGreaterThan(pinned);
  });

  it("counts on from the acd's version when the acd refuses presence's version as too far ahead", async () => {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [team("support", { memberRepIds: ["dee"] })]);
    await stack.presence.login({ siteId, repId: "dee", teamIds: ["support"], connectionId: "desk" });
    const routing = () => stack.acd.getRepRouting({ siteId, repId: "dee" });
    await waitUntil(async () => (await routing()).known, 15_000);
    const held = (await routing()).version;
    // Presence's counter far ahead of the acd's (the acd lost the rep, or the counter was moved).
    const redis = createRedis({ url: infrastructureEnv().REDIS_URL });
    try {
      await redis.hset(keys.rep(siteId, "dee"), "ver", 1_000_000_000_000);
    } finally {
      redis.disconnect();
    }
    await stack.presence.setState({
      siteId,
      repId: "dee",
      state: RepState.REP_STATE_AWAY,
      reasonCode: "",
      actor: 0,
      actorId: "",
    });
    await waitUntil(async () => (await routing()).version > held, 15_000);
    const after = await routing();
    expect(after.routableCapacity).toBe(0);
    expect(after.version).toBeGreaterThan(held);
    expect(after.version).toBeLessThanOrEqual(held + 3);
    expect((await stack.presence.getRep({ siteId, repId: "dee" })).rep?.version).toBe(after.version);
  });
});
