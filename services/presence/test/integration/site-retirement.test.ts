import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv, refusal } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys, tenantPrefix } from "../../src/store/keys";
import { waitUntil } from "../support/eventually";
import { PresenceStack } from "../support/presence-stack";
import { newSite, putTeams, team } from "../support/site-fixture";

// Issue 11 item 4: presence kept every site it ever saw. A retired site's keys, registry and due-index
// entries go once its outbox is relayed.
describe("retiring a site in presence", () => {
  let stack: PresenceStack;
  let redis: RedisClient;
  beforeAll(async () => {
    // Connections expire 3 s after the last heartbeat, so a due entry that a pass in flight puts back
    // for the site's next deadline is visited, and dropped, within the wait below.
    stack = await PresenceStack.start({ HEARTBEAT_INTERVAL_MS: "1000" });
    redis = createRedis({ url: infrastructureEnv().REDIS_URL });
    await redisReady(redis);
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await stack?.stop();
  });

  const siteKeys = async (siteId: string) => (await redis.keys(`${tenantPrefix(siteId)}*`)).sort();

  it("removes every key of the site after relaying its outbox, and forgets its reps", async () => {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [team("support", { memberRepIds: ["ann"] })]);
    await stack.presence.login({ siteId, repId: "ann", teamIds: ["support"], connectionId: "desk" });
    await waitUntil(async () => (await stack.acd.getRepRouting({ siteId, repId: "ann" })).known, 15_000);
    expect((await siteKeys(siteId)).length).toBeGreaterThan(0);
    expect(await redis.sismember(keys.sites, siteId)).toBe(1);

    const { removedKeys } = await stack.presence.forgetSite({ siteId });
    expect(removedKeys).toBeGreaterThan(0);
    expect(await siteKeys(siteId)).toEqual([]);
    expect(await redis.sismember(keys.sites, siteId)).toBe(0);
    // A leader pass already under way may settle the site once more; its next visit finds nothing.
    const dueEntries = () =>
      Promise.all(["heartbeats", "pushes", "relay"].map((name) => redis.zscore(`${keys.due}${name}`, siteId)));
    await waitUntil(async () => (await dueEntries()).every((score) => score === null), 15_000);
    expect(await dueEntries()).toEqual([null, null, null]);
    expect(await siteKeys(siteId)).toEqual([]);
    const gone = await refusal(stack.presence.getRep({ siteId, repId: "ann" }));
    expect(gone.details).toContain("not known to presence");
  });
});
