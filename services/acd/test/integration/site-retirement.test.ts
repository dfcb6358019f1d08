import { status } from "@grpc/grpc-js";
import { createRedis, errorInfo, redisReady, type RedisClient } from "@handoff/runtime";
import { eventually, infrastructureEnv, refusal } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys, tenantPrefix } from "../../src/store/keys";
import { runAcd } from "../support/acd-under-test";
import { repOnline, team, teamTarget } from "../support/routing-fixture";

// Issue 11 item 4: sites were never removed, and the leaders' sweeps and Redis grew with every site ever
// seen. A site can now be retired: refused while it holds sessions in routing, otherwise its config
// goes, its outbox is relayed, and every key and due-index entry of it is removed.
describe("retiring a site", () => {
  const running = runAcd(() => ({ REDIS_URL: infrastructureEnv().REDIS_URL }));
  let redis: RedisClient;
  beforeAll(async () => {
    redis = createRedis({ url: infrastructureEnv().REDIS_URL });
    await redisReady(redis);
  });
  afterAll(() => redis?.disconnect());

  const siteKeys = async (siteId: string) => {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await redis.scan(cursor, "MATCH", `${tenantPrefix(siteId)}*`, "COUNT", 1000);
      cursor = next;
      found.push(...batch);
    } while (cursor !== "0");
    return found;
  };
  const dueEntries = async (siteId: string) =>
    Promise.all(["timers", "relay"].map((name) => redis.zscore(`${keys.due}${name}`, siteId)));
  const session = (siteId: string, sessionId: string) => ({
    siteId,
    sessionId,
    target: teamTarget("support"),
    problemTypeId: "",
    priority: 0,
    requiredSkills: [],
  });

  it("refuses while sessions are in routing, then removes every key of the site once they are gone", async () => {
    const { acd } = running;
    const siteId = await running.siteWith();
    await repOnline(acd, siteId, "ann", ["support"]);
    await acd.enqueueSession(session(siteId, "s1"));
    await acd.acceptOffer({ siteId, sessionId: "s1", repId: "ann", epoch: 1 });
    await acd.enqueueSession(session(siteId, "s2"));
    const before = await siteKeys(siteId);

    const inUse = await refusal(acd.retireSite({ siteId }));
    expect([inUse.code, errorInfo(inUse)?.reason, errorInfo(inUse)?.metadata]).toEqual([
      status.FAILED_PRECONDITION,
      "SITE_IN_USE",
      { site_id: siteId, sessions: "2" },
    ]);
    expect(await siteKeys(siteId)).toEqual(expect.arrayContaining(before));
    expect((await acd.getRoutingConfig({ siteId })).config?.teams.map((t) => t.id)).toEqual(["support"]);

    await acd.endSession({ siteId, sessionId: "s1", repId: "ann", epoch: 1 });
    await acd.abandonSession({ siteId, sessionId: "s2", reason: 1 });
    const { removedKeys } = await acd.retireSite({ siteId });
    expect(removedKeys).toBeGreaterThan(0);
    expect(await siteKeys(siteId)).toEqual([]);
    expect(await redis.sismember(keys.sites, siteId)).toBe(0);
    // A leader pass already under way may settle the site once more; its next visit finds nothing.
    await eventually(async () => (await dueEntries(siteId)).every((score) => score === null), 10_000);
    expect(await siteKeys(siteId)).toEqual([]);
    const gone = await refusal(acd.getRoutingConfig({ siteId }));
    expect(gone.code).toBe(status.INVALID_ARGUMENT);
    const noPush = await refusal(
      acd.setRepCapacity({
        siteId,
        repId: "ann",
        teamIds: ["support"],
        skills: [],
        routableCapacity: 1,
        version: 9,
        connected: true,
      }),
    );
    expect(errorInfo(noPush)?.reason).toBe("UNKNOWN_SITE");
    // Asking again is harmless; a config put again starts the site afresh.
    expect(await acd.retireSite({ siteId })).toEqual({ removedKeys: 0 });
    await acd.putRoutingConfig({ siteId, config: { teams: [team("support")], problemTypes: [], version: 0 } });
    expect((await acd.getRoutingConfig({ siteId })).config?.version).toBe(1);
  });
});
