import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Acd } from "../support/acd-client";
import { redisBackends, runAcd } from "../support/acd-under-test";
import { enqueueInTeam } from "../support/routing-fixture";
import { keys } from "../../src/store/keys";

const READS = 2_000;
/** Reads in flight at once: enough to be quick, few enough not to starve the other tests' processes. */
const CONCURRENCY = 25;
/** The acd's default `ESTIMATE_RECORD_INTERVAL_MS`. */
const DEFAULT_INTERVAL_MS = 30_000;

let redis: RedisClient;
beforeAll(async () => {
  redis = createRedis({ url: infrastructureEnv().REDIS_URL });
  await redisReady(redis);
});
afterAll(async () => {
  await redis?.quit();
});

/** The site's outbox entries by event type (the relay keeps acknowledged entries for 60 s). */
async function outboxTypes(siteId: string): Promise<string[]> {
  const entries = await redis.xrange(keys.outbox(siteId), "-", "+");
  return entries.map(([, fields]) => fields[fields.indexOf("t") + 1] ?? "");
}

/** Two customers waiting in the site's "support" queue; the second is at position 2. */
async function twoWaiting(acd: Acd, siteId: string): Promise<void> {
  for (const sessionId of ["first", "second"]) {
    await enqueueInTeam(acd, siteId, sessionId);
  }
}

/** `READS` position reads of "second". */
async function readPositions(acd: Acd, siteId: string, recordEstimate: boolean): Promise<void> {
  for (let done = 0; done < READS; done += CONCURRENCY) {
    const batch = Math.min(CONCURRENCY, READS - done);
    const answers = await Promise.all(
      Array.from({ length: batch }, () => acd.getQueuePosition({ siteId, sessionId: "second", recordEstimate })),
    );
    for (const answer of answers) expect(answer.position?.position).toBe(2);
  }
}

describe("reads never write: queue position reads", () => {
  const running = runAcd(redisBackends[0][1]);

  it(`appends nothing for ${READS} reads, and at most one estimate per 30 s for ${READS} shown to the customer`, async () => {
    const siteId = await running.siteWith();
    const beforeEnqueue = Date.now();
    await twoWaiting(running.acd, siteId);
    const afterEnqueue = await outboxTypes(siteId);
    // Each enqueue answer tells its customer his first estimate: recorded once each.
    expect(afterEnqueue.filter((type) => type === "WaitEstimated")).toHaveLength(2);

    await readPositions(running.acd, siteId, false);
    expect(await outboxTypes(siteId)).toEqual(afterEnqueue);

    await readPositions(running.acd, siteId, true);
    const added = (await outboxTypes(siteId)).slice(afterEnqueue.length);
    expect(added.every((type) => type === "WaitEstimated")).toBe(true);
    // The enqueue's estimate counts: a new one only a whole interval after it (on a loaded machine
    // both rounds of reads may outlast one interval).
    expect(added.length).toBeLessThanOrEqual(Math.floor((Date.now() - beforeEnqueue) / DEFAULT_INTERVAL_MS));
  });
});

describe("reads never write: an estimate shown to the customer once the interval has passed", () => {
  const running = runAcd(() => ({ ...redisBackends[0][1](), ESTIMATE_RECORD_INTERVAL_MS: "1" }));

  it("records it as a WaitEstimated event with the position and estimate the customer was given", async () => {
    const siteId = await running.siteWith();
    await twoWaiting(running.acd, siteId);
    const before = await outboxTypes(siteId);
    await running.acd.getQueuePosition({ siteId, sessionId: "second", recordEstimate: false });
    expect(await outboxTypes(siteId)).toEqual(before);

    await new Promise((resolve) => setTimeout(resolve, 5));
    const { position } = await running.acd.getQueuePosition({ siteId, sessionId: "second", recordEstimate: true });
    const entries = await redis.xrange(keys.outbox(siteId), "-", "+");
    expect(entries).toHaveLength(before.length + 1);
    const fields = entries.at(-1)![1];
    const field = (name: string) => fields[fields.indexOf(name) + 1];
    expect({ type: field("t"), key: field("k") }).toEqual({ type: "WaitEstimated", key: "second" });
    expect(JSON.parse(field("d")!)).toMatchObject({
      position: 2,
      estimate: { p50Ms: position!.estimate!.p50Ms, known: position!.estimate!.known },
    });
  });
});
