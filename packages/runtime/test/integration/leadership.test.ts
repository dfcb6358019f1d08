import {
  createLogger,
  createRedis,
  redisReady,
  startRedisLeadership,
  type Leadership,
  type RedisClient,
} from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";

const logger = createLogger("leadership-test", "silent");

interface Contender {
  holderId: string;
  redis: RedisClient;
  leadership: Leadership;
}

describe("leadership over a Redis lock", () => {
  const contenders: Contender[] = [];
  let observer: RedisClient | undefined;

  afterEach(async () => {
    for (const { leadership, redis } of contenders.splice(0)) {
      await leadership.stop();
      if (redis.status !== "end") redis.disconnect();
    }
    observer?.disconnect();
    observer = undefined;
  });

  async function contend(key: string, holderId: string): Promise<Contender> {
    const redis = createRedis({ url: infrastructureEnv().REDIS_URL, connectionName: holderId });
    await redisReady(redis);
    const contender = { holderId, redis, leadership: startRedisLeadership(redis, { key, holderId, logger }) };
    contenders.push(contender);
    return contender;
  }

  async function lockHolder(key: string): Promise<string | null> {
    observer ??= createRedis({ url: infrastructureEnv().REDIS_URL });
    return observer.get(key);
  }

  const leadersAmong = (all: Contender[]) => all.filter((c) => c.leadership.isLeader);

  it("elects exactly one of two contenders for one key, and the lock names it", async () => {
    const key = `test:leader:${randomUUID()}`;
    const all = [await contend(key, "replica-a"), await contend(key, "replica-b")];
    await vi.waitFor(() => expect(leadersAmong(all)).toHaveLength(1), { timeout: 2_000, interval: 20 });
    const leader = leadersAmong(all)[0]!;
    expect(await lockHolder(key)).toBe(leader.holderId);

    // Through several renewals (every 1 s), leadership stays with the same single replica.
    for (let i = 0; i < 25; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(leadersAmong(all)).toEqual([leader]);
    }
  });

  it("lets the other replica lead within 5 s when the leader's connection dies without releasing", async () => {
    const key = `test:leader:${randomUUID()}`;
    const all = [await contend(key, "replica-a"), await contend(key, "replica-b")];
    await vi.waitFor(() => expect(leadersAmong(all)).toHaveLength(1), { timeout: 2_000, interval: 20 });
    const leader = leadersAmong(all)[0]!;
    const follower = all.find((c) => c !== leader)!;
    const leaderChanges: boolean[] = [];
    leader.leadership.onChange((isLeader) => leaderChanges.push(isLeader));

    // As after kill -9: the lock stays in Redis until its TTL runs out.
    const killedAt = Date.now();
    leader.redis.disconnect();
    await vi.waitFor(() => expect(follower.leadership.isLeader).toBe(true), { timeout: 5_000, interval: 20 });
    const tookMs = Date.now() - killedAt;

    expect(tookMs).toBeLessThan(5_000);
    expect(leader.leadership.isLeader).toBe(false);
    expect(leaderChanges).toEqual([false]);
    expect(await lockHolder(key)).toBe(follower.holderId);
  });

  it("hands over on the next try when the leader stops and releases the lock", async () => {
    const key = `test:leader:${randomUUID()}`;
    const all = [await contend(key, "replica-a"), await contend(key, "replica-b")];
    await vi.waitFor(() => expect(leadersAmong(all)).toHaveLength(1), { timeout: 2_000, interval: 20 });
    const leader = leadersAmong(all)[0]!;
    const follower = all.find((c) => c !== leader)!;

    await leader.leadership.stop();
    expect(leader.leadership.isLeader).toBe(false);
    expect(await lockHolder(key)).not.toBe(leader.holderId);
    const stoppedAt = Date.now();
    await vi.waitFor(() => expect(follower.leadership.isLeader).toBe(true), { timeout: 2_000, interval: 20 });
    expect(Date.now() - stoppedAt).toBeLessThan(1_500);
  });

  it("never releases a lock another holder has taken since", async () => {
    const key = `test:leader:${randomUUID()}`;
    const a = await contend(key, "replica-a");
    await vi.waitFor(() => expect(a.leadership.isLeader).toBe(true), { timeout: 2_000, interval: 20 });
    // Simulates the lock having expired and been taken while replica-a was stalled.
    observer ??= createRedis({ url: infrastructureEnv().REDIS_URL });
    await observer.set(key, "replica-z", "PX", 10_000);
    await vi.waitFor(() => expect(a.leadership.isLeader).toBe(false), { timeout: 2_000, interval: 20 });
    await a.leadership.stop();
    expect(await lockHolder(key)).toBe("replica-z");
    await observer.del(key);
  });
});
