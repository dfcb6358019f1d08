import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv, tracedCall, traceIdOf } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RepState } from "@handoff/proto/common";
import { PresenceEventLog } from "../support/presence-event-log";
import { PresenceStack } from "../support/presence-stack";
import { newSite, putTeams, team } from "../support/site-fixture";
import { keys } from "../../src/store/keys";

describe("presence events on Kafka carry the trace of the gRPC call that made them", () => {
  let stack: PresenceStack;
  let log: PresenceEventLog;
  let redis: RedisClient;
  beforeAll(async () => {
    stack = await PresenceStack.start();
    log = await PresenceEventLog.start();
    redis = createRedis({ url: infrastructureEnv().REDIS_URL });
    await redisReady(redis);
  });
  afterAll(async () => {
    await redis?.quit();
    await log?.stop();
    await stack?.stop();
  });

  it("from the request through the outbox onto the Kafka header", async () => {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [team("support", { memberRepIds: ["ann"] })]);
    const raw = stack.presence.raw;
    const callTraces = [
      await tracedCall((md, done) =>
        raw.login({ siteId, repId: "ann", teamIds: ["support"], connectionId: "ann-desk" }, md, done),
      ),
      await tracedCall((md, done) => raw.setCapacity({ siteId, repId: "ann", capacity: 2, skills: [] }, md, done)),
      await tracedCall((md, done) =>
        raw.setState(
          { siteId, repId: "ann", state: RepState.REP_STATE_AVAILABLE, reasonCode: "", actor: 0, actorId: "" },
          md,
          done,
        ),
      ),
    ];

    await log.waitForRelay(redis, siteId);
    const outbox = new Map(
      (await redis.xrange(keys.outbox(siteId), "-", "+")).map(([id, fields]) => [
        id,
        traceIdOf(fields[fields.indexOf("tp") + 1] ?? ""),
      ]),
    );
    const onKafka = log.events(siteId);
    expect(onKafka.length).toBe(outbox.size);
    for (const event of onKafka) {
      expect({ event: event.eventId, trace: traceIdOf(event.traceparent) }).toEqual({
        event: event.eventId,
        trace: outbox.get(event.streamId),
      });
    }
    // Every event carries the trace of one of the calls (the login's among them).
    expect(onKafka.length).toBeGreaterThan(0);
    for (const event of onKafka) expect(callTraces).toContain(traceIdOf(event.traceparent));
    expect(onKafka.map((event) => traceIdOf(event.traceparent))).toContain(callTraces[0]);
  });
});
