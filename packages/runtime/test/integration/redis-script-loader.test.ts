import { createRedis, loadScripts, redisReady, resolveIncludes, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const fixtures = path.join(__dirname, "fixtures", "lua");

describe("Lua script loader", () => {
  let redis: RedisClient;
  beforeAll(async () => {
    redis = createRedis({ url: infrastructureEnv().REDIS_URL });
    await redisReady(redis);
  });
  afterAll(async () => {
    await redis.quit();
  });

  it("inlines each include once, recursively", () => {
    const body = resolveIncludes(path.join(fixtures, "incrementBy-1.lua"));
    expect(body.match(/local function addTo/g)).toHaveLength(1);
    expect(body.match(/local function double/g)).toHaveLength(1);
    expect(body).not.toContain("@include");
  });

  it("keeps working after SCRIPT FLUSH by reloading the script", async () => {
    const scripts = loadScripts(redis, fixtures);
    const key = `test:${randomUUID()}`;
    expect(await scripts.incrementBy!([key], [5])).toBe(5);
    await redis.script("FLUSH");
    expect(await redis.script("EXISTS", "0")).toEqual([0]);
    expect(await scripts.incrementBy!([key], [7])).toBe(12);
    await redis.del(key);
  });
});
