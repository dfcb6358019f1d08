import { status } from "@grpc/grpc-js";
import { SessionState } from "@handoff/proto/common";
import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribeOffers } from "../support/acd-client";
import { grpcError, redisBackends, runAcd } from "../support/acd-under-test";
import { enqueueInTeam, repOnline } from "../support/routing-fixture";
import { keys } from "../../src/store/keys";

let redis: RedisClient;
beforeAll(async () => {
  redis = createRedis({ url: infrastructureEnv().REDIS_URL });
  await redisReady(redis);
});
afterAll(async () => {
  await redis?.quit();
});

const outboxLength = (siteId: string) => redis.xlen(keys.outbox(siteId));

describe("BatchGetQueuePositions", () => {
  const running = runAcd(redisBackends[0][1]);

  async function waiting(siteId: string, sessionIds: string[]): Promise<void> {
    for (const sessionId of sessionIds) {
      await enqueueInTeam(running.acd, siteId, sessionId);
    }
  }

  it("answers every session in the order asked, as GetQueuePosition does one by one, and names the unknown", async () => {
    const siteId = await running.siteWith();
    const ids = Array.from({ length: 40 }, (_, i) => `s${i}`);
    await waiting(siteId, ids);
    const asked = ["nobody", ...[...ids].reverse()];

    const { positions } = await running.acd.batchGetQueuePositions({
      siteId,
      sessionIds: asked,
      recordEstimate: false,
    });

    expect(positions.map((p) => p.sessionId)).toEqual(asked);
    expect(positions[0]).toMatchObject({ known: false, state: SessionState.SESSION_STATE_UNSPECIFIED });
    for (const answer of positions.filter((p) => p.known)) {
      const one = await running.acd.getQueuePosition({ siteId, sessionId: answer.sessionId, recordEstimate: false });
      expect(answer).toEqual({ sessionId: answer.sessionId, known: true, position: one.position, state: one.state });
    }
    expect(positions.find((p) => p.sessionId === "s0")?.position).toMatchObject({ position: 1, queueLength: 40 });
    expect(positions.find((p) => p.sessionId === "s39")?.position).toMatchObject({ position: 40, queueLength: 40 });
  });

  it("shows an offered session as offered, and the places behind it moved up", async () => {
    const siteId = await running.siteWith();
    await waiting(siteId, ["head", "second", "third"]);
    const inbox = await subscribeOffers(running.acd, siteId, ["rep-1"]);
    try {
      await repOnline(running.acd, siteId, "rep-1", ["support"], 1);
      await inbox.next((offer) => offer.sessionId === "head");
      const { positions } = await running.acd.batchGetQueuePositions({
        siteId,
        sessionIds: ["head", "second", "third"],
        recordEstimate: false,
      });
      expect(positions.map((p) => [p.state, p.position?.position])).toEqual([
        [SessionState.SESSION_STATE_OFFERED, 0],
        [SessionState.SESSION_STATE_WAITING, 1],
        [SessionState.SESSION_STATE_WAITING, 2],
      ]);
    } finally {
      inbox.close();
    }
  });

  it("writes nothing unless the estimates are shown, then records each once per interval", async () => {
    const siteId = await running.siteWith();
    await waiting(siteId, ["a", "b", "c"]);
    const before = await outboxLength(siteId);
    await running.acd.batchGetQueuePositions({ siteId, sessionIds: ["a", "b", "c"], recordEstimate: false });
    expect(await outboxLength(siteId)).toBe(before);
    // The enqueue answers recorded each customer's first estimate; the default interval is 30 s.
    await running.acd.batchGetQueuePositions({ siteId, sessionIds: ["a", "b", "c"], recordEstimate: true });
    expect(await outboxLength(siteId)).toBe(before);
  });

  it("refuses more than 500 ids, a repeated one or a bad one with INVALID_ARGUMENT naming the field", async () => {
    const siteId = await running.siteWith();
    const refusal = async (sessionIds: string[]) => {
      const error = await grpcError(running.acd.batchGetQueuePositions({ siteId, sessionIds, recordEstimate: true }));
      return [error.code, error.details.split(":")[0]];
    };
    expect(await refusal(Array.from({ length: 501 }, (_, i) => `s${i}`))).toEqual([
      status.INVALID_ARGUMENT,
      "session_ids",
    ]);
    expect(await refusal(["a", "a"])).toEqual([status.INVALID_ARGUMENT, "session_ids"]);
    expect(await refusal(["ok", "bad id"])).toEqual([status.INVALID_ARGUMENT, "session_ids[1]"]);
    expect(
      (await running.acd.batchGetQueuePositions({ siteId, sessionIds: [], recordEstimate: true })).positions,
    ).toEqual([]);
  });
});
