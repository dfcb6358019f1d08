import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import {
  infrastructureEnv,
  privateRedisUrl,
  type ServiceProcess,
  startService,
  tracedCall as traced,
  traceIdOf,
} from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAcd, type Acd } from "../support/acd-client";
import { RoutingEventLog } from "../support/event-log";
import { enqueueInTeam, newSite, team, teamTarget } from "../support/routing-fixture";
import { keys } from "../../src/store/keys";

/** Its own database, so this file's acd is the leader that relays its outbox. */
const REDIS_DB = 10;

describe("routing events on Kafka", () => {
  let service: ServiceProcess;
  let acd: Acd;
  let redis: RedisClient;
  let log: RoutingEventLog;

  beforeAll(async () => {
    service = await startService("acd", {
      REDIS_URL: privateRedisUrl(REDIS_DB),
      KAFKA_BROKERS: infrastructureEnv().KAFKA_BROKERS,
    });
    acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
    redis = createRedis({ url: privateRedisUrl(REDIS_DB) });
    await redisReady(redis);
    log = await RoutingEventLog.start();
  });

  afterAll(async () => {
    acd?.close();
    await service?.stop();
    await log?.stop();
    await redis?.quit();
  });

  it("gives every event on Kafka the trace of the gRPC call that made it, as the outbox holds it", async () => {
    const siteId = newSite();
    const callTraces = [
      await traced((md, done) =>
        acd.raw.putRoutingConfig(
          { siteId, config: { teams: [team("support")], problemTypes: [], version: 0 } },
          md,
          done,
        ),
      ),
      await traced((md, done) =>
        acd.raw.setRepCapacity(
          {
            siteId,
            repId: "ann",
            teamIds: ["support"],
            skills: [],
            routableCapacity: 1,
            version: 1,
            connected: true,
          },
          md,
          done,
        ),
      ),
    ];
    for (const sessionId of ["s1", "s2", "s3"]) {
      callTraces.push(
        await traced((md, done) =>
          acd.raw.enqueueSession(
            { siteId, sessionId, target: teamTarget("support"), problemTypeId: "", priority: 0, requiredSkills: [] },
            md,
            done,
          ),
        ),
      );
    }

    await log.waitForRelay(redis, siteId);
    const outboxTraces = new Map(
      (await redis.xrange(keys.outbox(siteId), "-", "+")).map(([id, fields]) => [
        id,
        traceIdOf(fields[fields.indexOf("tp") + 1] ?? ""),
      ]),
    );
    const onKafka = log.events(siteId);
    expect(onKafka.length).toBe(outboxTraces.size);
    for (const event of onKafka) {
      expect({ type: event.type, trace: traceIdOf(event.traceparent) }).toEqual({
        type: event.type,
        trace: outboxTraces.get(event.streamId),
      });
    }
    // Each call made at least one event, and no event carries a trace no call had.
    expect(new Set(onKafka.map((event) => traceIdOf(event.traceparent)))).toEqual(new Set(callTraces));
  });

  it("keys every event by its session, its rep or, for a site-wide one like a config change, its site", async () => {
    const siteId = newSite();
    await acd.putRoutingConfig({ siteId, config: { teams: [team("support")], problemTypes: [], version: 0 } });
    await acd.setRepCapacity({
      siteId,
      repId: "bob",
      teamIds: ["support"],
      skills: [],
      routableCapacity: 1,
      version: 1,
      connected: true,
    });
    await enqueueInTeam(acd, siteId, "s1");
    await log.waitForRelay(redis, siteId);
    const keys = log.events(siteId).map(({ type, key, event }) => ({ type, key, session: event.sessionId }));
    expect(keys.find((k) => k.type === "RoutingConfigChanged")).toMatchObject({ key: siteId });
    for (const k of keys) {
      expect(k.key).not.toBe("");
      if (k.session) expect(k.key).toBe(k.session);
    }
  });
});
