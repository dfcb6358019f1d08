import { checkGrpcHealth, createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import {
  devClientTls,
  eventually,
  infrastructureEnv,
  privateRedisUrl,
  type ServiceProcess,
  startService,
  TcpBalancer,
} from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAcd, subscribeOffers, type Acd, type OfferInbox } from "../support/acd-client";
import { newSite, repOnline, team, teamTarget } from "../support/routing-fixture";

const REDIS_DB = 9;
/** Enough sites that a connection per site would stand out; the measured flood was 10,100. */
const SITES = 200;

/** The Redis connections the acd under test holds: named "acd", on this file's own database. */
async function acdConnections(redis: RedisClient): Promise<number> {
  const list = (await redis.client("LIST")) as string;
  return list.split("\n").filter((line) => line.includes(` name=acd `) && line.includes(` db=${REDIS_DB} `)).length;
}

// Issue 11: each site with a subscriber held a Redis connection of its own, so 10,100 subscribed sites
// exhausted Redis's maxclients; offer delivery stopped while health still said SERVING.
describe("the acd's offer streams and Redis", () => {
  let redis: RedisClient;
  let proxy: TcpBalancer;
  let service: ServiceProcess;
  let acd: Acd;
  const streams: OfferInbox[] = [];

  beforeAll(async () => {
    redis = createRedis({ url: privateRedisUrl(REDIS_DB) });
    await redisReady(redis);
    // The acd reaches Redis through a proxy the test can cut.
    proxy = await TcpBalancer.start([Number(new URL(infrastructureEnv().REDIS_URL).port)]);
    service = await startService("acd", {
      REDIS_URL: `redis://127.0.0.1:${proxy.port}/${REDIS_DB}`,
      KAFKA_BROKERS: infrastructureEnv().KAFKA_BROKERS,
    });
    acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
  });
  afterAll(async () => {
    for (const stream of streams) stream.close();
    acd?.close();
    await service?.stop();
    await proxy?.stop();
    await redis?.quit();
  });

  it("serves the offer streams of many sites over the same few Redis connections", async () => {
    const before = await acdConnections(redis);
    expect(before).toBeGreaterThan(0);
    const sites: string[] = [];
    for (let i = 0; i < SITES; i++) {
      const siteId = newSite();
      await acd.putRoutingConfig({ siteId, config: { teams: [team("support")], problemTypes: [], version: 0 } });
      await repOnline(acd, siteId, "rep", ["support"]);
      streams.push(await subscribeOffers(acd, siteId, ["rep"]));
      sites.push(siteId);
    }
    expect(await acdConnections(redis)).toBe(before);

    // And every stream still gets its site's offers.
    for (const i of [0, Math.floor(SITES / 2), SITES - 1]) {
      const sessionId = `s-${i}`;
      await acd.enqueueSession({
        siteId: sites[i]!,
        sessionId,
        target: teamTarget("support"),
        problemTypeId: "",
        priority: 0,
        requiredSkills: [],
      });
      const offer = await streams[i]!.next((o) => o.sessionId === sessionId);
      expect(offer.repId).toBe("rep");
    }
  });

  it("stops saying SERVING when it cannot reach Redis", async () => {
    const address = `127.0.0.1:${service.grpcPort}`;
    const tls = devClientTls("session-broker");
    expect(await checkGrpcHealth(address, { tls })).toBe("SERVING");
    await proxy.stop();
    await eventually(
      async () => (await checkGrpcHealth(address, { tls })) === "NOT_SERVING",
      10_000,
      "health NOT_SERVING",
    );
    expect(await checkGrpcHealth(address, { service: "handoff.v1.AcdService", tls })).toBe("NOT_SERVING");
  });
});
