import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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

/** The functions (`heartbeat`, `markDue`...) presence's store called on Redis for `site` while `action` ran. */
async function functionCalls(site: string, action: () => Promise<unknown>): Promise<string[]> {
  const sent = vi.spyOn(redis, "call");
  try {
    await action();
    return sent.mock.calls
      .filter(([command, ...args]) => command === "FCALL" && args.some((a) => String(a).includes(site)))
      .map(([, name]) => String(name).replace(/^.*_/, ""));
  } finally {
    sent.mockRestore();
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
