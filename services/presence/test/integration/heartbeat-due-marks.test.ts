import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PresenceStore } from "../../src/store/presence-store";

const TTL_MS = 30_000;

let redis: RedisClient;
let store: PresenceStore;
beforeAll(async () => {
  redis = createRedis({ url: infrastructureEnv().REDIS_URL });
  await redisReady(redis);
  store = new PresenceStore(redis, 16);
  await store.load();
});
afterAll(async () => {
  await redis?.quit();
});

/**
 * The FCALLs naming `site` that Redis ran while `action` did, by function name (`heartbeat`,
 * `markDue`...), as MONITOR saw them. A PING naming the site after the action closes the window:
 * MONITOR reports commands in the order Redis ran them.
 */
async function functionCalls(site: string, action: () => Promise<unknown>): Promise<string[]> {
  const monitor = await redis.monitor();
  const calls: string[] = [];
  const end = `end-${site}`;
  const ended = new Promise<void>((resolve) => {
    monitor.on("monitor", (_time: string, args: string[]) => {
      if (args[0]?.toUpperCase() === "PING" && args[1] === end) resolve();
      else if (args[0]?.toUpperCase() === "FCALL" && args.some((a) => a.includes(site)))
        calls.push(String(args[1]).replace(/^.*_/, ""));
    });
  });
  try {
    await action();
    await redis.ping(end);
    await ended;
    return calls;
  } finally {
    monitor.disconnect();
  }
}

describe("heartbeat due marks", () => {
  it("marks the site due for a new connection, but a heartbeat that only refreshes one is a single call", async () => {
    const site = `test-${randomUUID()}`;
    await store.login(site, "ann", ["support"], "desk-1", TTL_MS);

    expect(await functionCalls(site, () => store.heartbeat(site, "ann", "desk-1", TTL_MS))).toEqual(["heartbeat"]);
    expect(await functionCalls(site, () => store.heartbeat(site, "ann", "desk-2", TTL_MS))).toEqual([
      "heartbeat",
      "markDue",
    ]);
    expect(await functionCalls(site, () => store.heartbeat(site, "ann", "desk-2", TTL_MS))).toEqual(["heartbeat"]);
  });

  it("marks a refreshed connection whose deadline moved earlier (a replica with a shorter tolerance)", async () => {
    const site = `test-${randomUUID()}`;
    await store.login(site, "ben", ["support"], "desk", TTL_MS);
    expect(await functionCalls(site, () => store.heartbeat(site, "ben", "desk", 1_000))).toEqual([
      "heartbeat",
      "markDue",
    ]);
  });
});
