import { EndReason } from "@handoff/proto/common";
import { createRedis, parseOutboxEntry, streamEntry, type RedisClient } from "@handoff/runtime";
import { asRep, createRequest, eventually, offeredEpoch, privateRedisUrl, teamConfig } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionListItem } from "../../src/store/session-list-reader";
import { startReportedStack, type ReportedStack } from "../support/reported-stack";

/** The acd's Redis database of this file (privateRedisUrl: 1-5 are not taken by another file). */
const REDIS_DB = 4;
/** The acd's timer and relay leader lock, and a site's outbox stream (services/acd/src/store/keys.ts). */
const ACD_LEADER_KEY = "hq:leader:acd-due";
const acdOutboxKey = (siteId: string) => `hq:{${siteId}}:ob`;

/**
 * Issue 13's whole-system FLUSHALL run, one session of it made deterministic: the acd relayed the
 * session's SessionQueued and OfferCreated, the rep accepted, and Redis lost the acd's OfferAccepted
 * before its relay sent it, while the broker's SessionAssigned, kept in PostgreSQL, reached Kafka;
 * the rep then ended the session. The test stops the acd's relay between the offer and the accept by
 * taking its leader lock (the relay is a leader duty), and waits for the acd to say it stopped.
 */
describe("reporting after Redis lost the acd's routing events", () => {
  let reported: ReportedStack;
  let redis: RedisClient;

  beforeAll(async () => {
    const acdRedisUrl = privateRedisUrl(REDIS_DB);
    redis = createRedis({ url: acdRedisUrl });
    await redis.flushdb();
    reported = await startReportedStack("reporting-redis-loss", { acdEnv: { REDIS_URL: acdRedisUrl } });
  }, 180_000);

  afterAll(async () => {
    await reported?.stop();
    await redis?.flushdb();
    redis?.disconnect();
  });

  it("lists a session the rep accepted before the loss and ended after it as answered by him, from the broker's SessionAssigned", async () => {
    const { stack, database, api } = reported;
    const siteId = await stack.site([teamConfig("t1", { memberRepIds: ["alice"] })]);
    const b = stack.broker;
    await stack.repOnline(siteId, "alice", ["t1"]);
    const created = await b.createSession(createRequest(siteId, { repId: "alice" }));
    const s = { siteId, sessionId: created.session!.sessionId };
    // The broker learns of the offer from the acd's relayed OfferCreated.
    const epoch = await offeredEpoch(b, siteId, s.sessionId, "alice");
    await redis.set(ACD_LEADER_KEY, "redis-loss-test", "PX", 600_000);
    await eventually(
      () => stack.acdProcess.output.some((line) => line.includes("lost leadership: leader duties stopped")),
      10_000,
      "the acd's relay stopped",
    );
    await b.acceptSessionOffer({ ...s, repId: "alice", epoch });
    const unrelayed = (await redis.xrange(acdOutboxKey(siteId), "-", "+")).map(([id, flat]) =>
      parseOutboxEntry(streamEntry(id, flat)),
    );
    expect(
      unrelayed.map((entry) => entry.type),
      "the acd's unrelayed routing events",
    ).toContain("OfferAccepted");

    await redis.flushdb();
    await b.closeSession({ ...s, requester: asRep("alice"), reason: EndReason.END_REASON_RESOLVED, abandonReason: 0 });

    const token = await api.issuer.token(siteId, "sue", ["supervisor"]);
    const query = new URLSearchParams({
      from: new Date(Date.now() - 600_000).toISOString(),
      to: new Date(Date.now() + 600_000).toISOString(),
    });
    const listed = await eventually(
      async () => {
        const response = await fetch(`${api.base}/v1/supervisor/sessions?${query.toString()}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const body = (await response.json()) as { sessions: SessionListItem[] };
        const session = body.sessions.find((one) => one.sessionId === s.sessionId);
        return session?.endedAtMs ? session : undefined;
      },
      60_000,
      "the session ended in reporting",
    );
    expect(listed).toMatchObject({ outcome: "answered", repIds: ["alice"], endReason: "END_REASON_RESOLVED" });
    const accepted = await database.pool.query(
      `select 1 from reporting.events where event_type = 'OfferAccepted' and session_id = $1`,
      [s.sessionId],
    );
    expect(accepted.rowCount, "the acd's OfferAccepted in reporting (Redis lost it)").toBe(0);
  });
});
