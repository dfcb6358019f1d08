import { createRedis, DueIndexes, redisReady, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, afterEach, describe, expect, it, vi, type MockInstance } from "vitest";

describe("due indexes", () => {
  let redis: RedisClient;
  let indexes: DueIndexes<"relay" | "timers">;
  const prefix = `test:{due-${randomUUID()}}:`;
  /** This client's FCALLs (Redis's own counters also count the other test files sharing it). */
  let calls: MockInstance;
  const fcalls = () => calls.mock.calls.filter(([command]) => command === "FCALL").length;

  beforeAll(async () => {
    redis = createRedis({ url: infrastructureEnv().REDIS_URL });
    await redisReady(redis);
    indexes = new DueIndexes(redis, prefix, ["relay", "timers"]);
    await indexes.mark("warm-up", { relay: 0 }); // loads the library
    calls = vi.spyOn(redis, "call");
  });
  afterEach(() => calls.mockClear());
  afterAll(async () => {
    calls.mockRestore();
    await redis.del(indexes.key("relay"), indexes.key("timers"));
    await redis.quit();
  });

  it("stores the marks of one turn of the event loop in one call, keeping the earliest time per tenant and index", async () => {
    const tenants = Array.from({ length: 1_200 }, (_, i) => `site-${i}`);
    await Promise.all([
      ...tenants.map((tenant, i) => indexes.mark(tenant, { relay: 1_000 + i, timers: 5_000 })),
      indexes.mark("site-7", { timers: 4_000 }),
      indexes.mark("site-7", { relay: 2_000 }),
    ]);
    // 1,200 tenants in one turn: three calls of at most 500 tenants each, not 1,202.
    expect(fcalls()).toBe(3);
    expect(await redis.zcard(indexes.key("relay"))).toBe(1_201);
    expect(Number(await redis.zscore(indexes.key("relay"), "site-1199"))).toBe(2_199);
    expect(Number(await redis.zscore(indexes.key("relay"), "site-7"))).toBe(1_007);
    expect(Number(await redis.zscore(indexes.key("timers"), "site-7"))).toBe(4_000);
  });

  it("keeps an earlier mark and replaces a claim in progress", async () => {
    await indexes.mark("early", { relay: 100 });
    await indexes.mark("early", { relay: 900 });
    expect(Number(await redis.zscore(indexes.key("relay"), "early"))).toBe(100);

    const claim = await indexes.claim("relay", 5_000);
    expect(claim.tenants).toContain("early");
    await indexes.mark("early", { relay: 900 });
    expect(Number(await redis.zscore(indexes.key("relay"), "early"))).toBe(900);
  });

  it("marks in separate turns go as separate calls, each resolved once stored", async () => {
    await indexes.mark("later-1", { timers: 10 });
    expect(Number(await redis.zscore(indexes.key("timers"), "later-1"))).toBe(10);
    await indexes.mark("later-2", { timers: 20 });
    expect(Number(await redis.zscore(indexes.key("timers"), "later-2"))).toBe(20);
    expect(fcalls()).toBe(2);
  });
});
