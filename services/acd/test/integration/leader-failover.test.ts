import { SessionState } from "@handoff/proto/common";
import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv, privateRedisUrl, type ServiceProcess, startService } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAcd, subscribeOffers, type Acd } from "../support/acd-client";
import { RoutingEventLog } from "../support/event-log";
import { keys } from "../../src/store/keys";
import { enqueueInTeam, newSite, repOnline, team } from "../support/routing-fixture";

const REDIS_DB = 15;
const LEADER_LOCK = keys.leader;
/** The takeover the issue asks for: timers fire again within this after the leader dies. */
const TAKEOVER_LIMIT_MS = 5_000;

const becameLeader = (replica: ServiceProcess) => replica.output.some((line) => line.includes('"msg":"became leader"'));

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("acd timer and relay leadership across two replicas", () => {
  const replicas: ServiceProcess[] = [];
  let redis: RedisClient;
  let log: RoutingEventLog;

  beforeAll(async () => {
    const env = {
      REDIS_URL: privateRedisUrl(REDIS_DB),
      KAFKA_BROKERS: infrastructureEnv().KAFKA_BROKERS,
    };
    replicas.push(await startService("acd", env), await startService("acd", env));
    redis = createRedis({ url: privateRedisUrl(REDIS_DB) });
    await redisReady(redis);
    log = await RoutingEventLog.start();
    await until("a leader among the replicas", () => replicas.find(becameLeader));
  }, 60_000);

  afterAll(async () => {
    await log?.stop();
    await redis?.quit();
    await Promise.all(replicas.map((replica) => replica.stop("SIGKILL")));
  });

  it("elects exactly one replica, whose pid holds the Redis lock", async () => {
    const leaders = replicas.filter(becameLeader);
    expect(leaders).toHaveLength(1);
    const holder = await redis.get(LEADER_LOCK);
    expect(holder).toContain(`-${leaders[0]!.child.pid}-`);
  });

  it("lets the other replica expire and re-offer a pending offer, and resume the relay, within 5 s of a kill -9 of the leader", async () => {
    const leader = replicas.find(becameLeader)!;
    const survivor = replicas.find((replica) => replica !== leader)!;
    expect(becameLeader(survivor)).toBe(false);
    const acd: Acd = connectAcd(`127.0.0.1:${survivor.grpcPort}`);
    const siteId = newSite();
    await acd.putRoutingConfig({
      siteId,
      // Long enough that the offer is still open when the leader is killed on a loaded machine (500 ms
      // once ran out before), short enough that the survivor's expiry shows within the takeover bound.
      config: { teams: [team("support", { offerTimeoutMs: 2_000 })], problemTypes: [], version: 0 },
    });
    await repOnline(acd, siteId, "alice", ["support"]);
    const inbox = await subscribeOffers(acd, siteId, ["alice", "bob"]);
    const placed = await enqueueInTeam(acd, siteId, "s1");
    expect(placed.offeredRepId).toBe("alice");
    // Bob comes online with nothing waiting: he is free when alice's offer runs out.
    await repOnline(acd, siteId, "bob", ["support"]);

    const open = await acd.getSessionRouting({ siteId, sessionId: "s1" });
    expect(open).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "alice", epoch: 1 });
    const killedAt = Date.now();
    await leader.stop("SIGKILL");

    const reoffer = await inbox.next((o) => o.sessionId === "s1" && o.repId === "bob", 15_000);
    const tookMs = Date.now() - killedAt;
    console.log(
      `[leader-failover] killed leader pid ${leader.child.pid}; survivor pid ${survivor.child.pid} re-offered s1 ${tookMs} ms later`,
    );
    expect(reoffer).toMatchObject({ epoch: 2, decision: { trigger: "expiry" } });
    expect(tookMs).toBeLessThan(TAKEOVER_LIMIT_MS);
    // Its log line and its offer reach this process by different pipes: either may come first.
    await until("the survivor's 'became leader' line", () => becameLeader(survivor) || undefined, 5_000);
    expect(await redis.get(LEADER_LOCK)).toContain(`-${survivor.child.pid}-`);
    expect(await acd.getSessionRouting({ siteId, sessionId: "s1" })).toMatchObject({
      state: SessionState.SESSION_STATE_OFFERED,
      repId: "bob",
      epoch: 2,
    });

    // The survivor's relay forwards what the dead leader left and what it did itself.
    const outbox = await log.waitForRelay(redis, siteId, 10_000);
    const events = log.events(siteId);
    expect(events.map((e) => e.streamId)).toEqual(outbox);
    const expired = events.find((e) => e.type === "OfferExpired" && e.event.sessionId === "s1");
    expect(expired?.event).toMatchObject({ epoch: 1, payload: { offerExpired: { repId: "alice" } } });
    expect(expired!.event.occurredAtMs).toBeGreaterThanOrEqual(killedAt);
    expect(events.find((e) => e.type === "OfferCreated" && e.event.epoch === 2)?.event.payload).toMatchObject({
      offerCreated: { repId: "bob" },
    });
    console.log(
      `[leader-failover] relay caught up ${Date.now() - killedAt} ms after the kill (${events.length} events)`,
    );
    inbox.close();
    acd.close();
  });

  // A replica killed between a function and its due mark (two calls: the mark's key is in another
  // cluster slot) leaves the site unmarked, and the leader, visiting only marked sites, never fires
  // its deadline. Its replacement's start marks every site once.
  it("fires a deadline whose due mark was lost once another replica starts", async () => {
    const running = (replica: ServiceProcess) => replica.child.exitCode === null && replica.child.signalCode === null;
    const leader = replicas.find((replica) => running(replica) && becameLeader(replica))!;
    const acd: Acd = connectAcd(`127.0.0.1:${leader.grpcPort}`);
    const siteId = newSite();
    await acd.putRoutingConfig({
      siteId,
      config: { teams: [team("support", { offerTimeoutMs: 1_000 })], problemTypes: [], version: 0 },
    });
    await repOnline(acd, siteId, "alice", ["support"]);
    const inbox = await subscribeOffers(acd, siteId, ["bob"]);
    try {
      expect((await enqueueInTeam(acd, siteId, "s1")).offeredRepId).toBe("alice");
      await repOnline(acd, siteId, "bob", ["support"]);
      // The lost mark: taken out until any visit in flight has settled (a settle puts it back).
      const timers = `${keys.due}timers`;
      const lostUntil = Date.now() + 1_500;
      while (Date.now() < lostUntil) {
        await redis.zrem(timers, siteId);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(
        await acd.getSessionRouting({ siteId, sessionId: "s1" }),
        "nothing fires an unmarked deadline",
      ).toMatchObject({
        state: SessionState.SESSION_STATE_OFFERED,
        repId: "alice",
        epoch: 1,
      });

      const startedAt = Date.now();
      replicas.push(
        await startService("acd", {
          REDIS_URL: privateRedisUrl(REDIS_DB),
          KAFKA_BROKERS: infrastructureEnv().KAFKA_BROKERS,
        }),
      );
      const reoffer = await inbox.next((o) => o.sessionId === "s1", 15_000);
      expect(reoffer).toMatchObject({ repId: "bob", epoch: 2, decision: { trigger: "expiry" } });
      console.log(
        `[leader-failover] the lost mark's deadline fired ${Date.now() - startedAt} ms after a replica started`,
      );
    } finally {
      inbox.close();
      acd.close();
    }
  });
});
