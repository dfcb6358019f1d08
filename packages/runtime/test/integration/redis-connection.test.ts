import { createRedis, redisReady } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import type { Redis } from "ioredis";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

describe("a single Redis connection", () => {
  let redis: Redis;
  beforeAll(async () => {
    redis = createRedis({ url: infrastructureEnv().REDIS_URL }) as Redis;
    await redisReady(redis);
  });
  afterAll(() => redis.quit());

  it("sends the commands of one event-loop turn in one socket write, each answered on its own", async () => {
    const key = `test:${randomUUID()}`;
    const writes = vi.spyOn(redis.stream, "write");
    try {
      const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => redis.hincrby(key, `f${i % 5}`, 1)));
      expect(replies.slice(0, 5)).toEqual([1, 1, 1, 1, 1]);
      expect(replies.slice(45)).toEqual([10, 10, 10, 10, 10]);
      expect(writes.mock.calls.length).toBeLessThanOrEqual(2);
      await expect(Promise.all([redis.get(key), redis.incr(key)])).rejects.toThrow(/WRONGTYPE/);
    } finally {
      writes.mockRestore();
      await redis.del(key);
    }
  });
});
