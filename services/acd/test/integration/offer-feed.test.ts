import { compareStreamIds, createLogger, createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OfferFeed } from "../../src/events/offer-feed";
import { keys } from "../../src/store/keys";
import { newSite } from "../support/routing-fixture";

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the offer feed's hand-over from an outbox id", () => {
  let redis: RedisClient;
  let wakeups: RedisClient;
  let feed: OfferFeed;
  beforeAll(async () => {
    redis = createRedis({ url: infrastructureEnv().REDIS_URL });
    wakeups = redis.duplicate();
    await Promise.all([redisReady(redis), redisReady(wakeups)]);
    feed = new OfferFeed(redis, wakeups, createLogger("offer-feed-test", "silent"));
  });
  afterAll(async () => {
    await feed?.close();
    await wakeups?.quit();
    await redis?.quit();
  });

  /**
   * An OfferCreated entry as events.append (library/modules/events.lua) writes it, with offerSession's
   * wake-up; returns its id.
   */
  const offer = async (site: string, sessionId: string, repId: string, type = "OfferCreated") => {
    const id = (await redis.xadd(
      keys.outbox(site),
      "*",
      "t",
      type,
      "k",
      sessionId,
      "at",
      "0",
      "d",
      JSON.stringify({ repId }),
      "tp",
      "",
      "e",
      "1",
    ))!;
    await redis.publish(keys.offerChannel(site), "");
    return id;
  };

  it("orders stream ids as pairs of integers", () => {
    expect(compareStreamIds("9-1", "10-0")).toBeLessThan(0);
    expect(compareStreamIds("10-2", "10-10")).toBeLessThan(0);
    expect(compareStreamIds("10-2", "10-2")).toBe(0);
    expect(compareStreamIds("0-1", "0-0")).toBeGreaterThan(0);
  });

  it("hands a subscriber whose outbox id the tail has passed the offers in between once, then live ones, in outbox order", async () => {
    const site = newSite();
    const start = await offer(site, "a", "x");
    const first: string[] = [];
    const stopFirst = feed.subscribe(site, ["x"], start, (entry) => first.push(entry.sessionId));
    await offer(site, "b", "x");
    await offer(site, "c", "y");
    await offer(site, "not-an-offer", "x", "OfferAccepted");
    await offer(site, "d", "x");
    await until(() => first.length === 2);
    // Its pending offers were read at `start`, and the tail is already past it.
    const second: string[] = [];
    const stopSecond = feed.subscribe(site, ["x", "y"], start, (entry) => second.push(entry.sessionId));
    await offer(site, "e", "y");
    await until(() => second.length === 4);
    await new Promise((resolve) => setTimeout(resolve, 100));
    stopFirst();
    stopSecond();
    expect(first).toEqual(["b", "d"]);
    expect(second).toEqual(["b", "c", "d", "e"]);
  });

  it("gives a subscriber nothing up to its outbox id, wherever the tail is", async () => {
    const site = newSite();
    const start = await offer(site, "a", "x");
    const first: string[] = [];
    const stopFirst = feed.subscribe(site, ["x"], start, (entry) => first.push(entry.sessionId));
    await offer(site, "b", "x");
    const mid = await offer(site, "c", "x");
    const second: string[] = [];
    const stopSecond = feed.subscribe(site, ["x"], mid, (entry) => second.push(entry.sessionId));
    await offer(site, "d", "x");
    await until(() => first.length === 3 && second.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    stopFirst();
    stopSecond();
    expect(first).toEqual(["b", "c", "d"]);
    expect(second).toEqual(["d"]);
  });

  it("starts a new tail for a site whose last subscriber left, from the new subscriber's id", async () => {
    const site = newSite();
    const start = await offer(site, "a", "x");
    const stop = feed.subscribe(site, ["x"], start, () => undefined);
    stop();
    const later = await offer(site, "b", "x");
    await offer(site, "c", "x");
    const got: string[] = [];
    const stopAgain = feed.subscribe(site, ["x"], later, (entry) => got.push(entry.sessionId));
    await until(() => got.length === 1);
    stopAgain();
    expect(got).toEqual(["c"]);
  });
});
