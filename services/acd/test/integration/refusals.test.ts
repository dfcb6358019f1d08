import { status, type ServiceError } from "@grpc/grpc-js";
import { SessionState } from "@handoff/proto/common";
import { createRedis, errorInfo, errorReason, redisReady, type RedisClient } from "@handoff/runtime";
import { infrastructureEnv, privateRedisUrl, type ServiceProcess, startService } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAcd, type Acd } from "../support/acd-client";
import { grpcError } from "../support/acd-under-test";
import { keys } from "../../src/store/keys";
import { newSite, repOnline, repTarget, team, teamTarget } from "../support/routing-fixture";

/** Its own database, where a stranger holds the leader lock: this acd never fires a timer or relays. */
const REDIS_DB = 11;
const LEADER_LOCK = keys.leader;

describe("acd refusals, idempotent accepts and enqueues, with no timer running", () => {
  let service: ServiceProcess;
  let acd: Acd;
  let redis: RedisClient;

  beforeAll(async () => {
    redis = createRedis({ url: privateRedisUrl(REDIS_DB) });
    await redisReady(redis);
    await redis.set(LEADER_LOCK, "a-stranger", "PX", 600_000);
    service = await startService("acd", {
      REDIS_URL: privateRedisUrl(REDIS_DB),
      KAFKA_BROKERS: infrastructureEnv().KAFKA_BROKERS,
    });
    acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
  });

  afterAll(async () => {
    acd?.close();
    await service?.stop();
    await redis?.del(LEADER_LOCK);
    await redis?.quit();
  });

  async function siteWith(offerTimeoutMs = 30_000): Promise<string> {
    const siteId = newSite();
    await acd.putRoutingConfig({
      siteId,
      config: { teams: [team("support", { offerTimeoutMs })], problemTypes: [], version: 0 },
    });
    return siteId;
  }
  const enqueue = (siteId: string, sessionId: string, priority = 0) =>
    acd.enqueueSession({
      siteId,
      sessionId,
      target: teamTarget("support"),
      problemTypeId: "",
      priority,
      requiredSkills: [],
    });
  /** The types of a session's routing events in order, but wait estimates (nothing relays or trims them here). */
  async function eventsOf(siteId: string, sessionId: string): Promise<string[]> {
    const entries = await redis.xrange(keys.outbox(siteId), "-", "+");
    return entries.flatMap(([, fields]) => {
      const field = (name: string) => fields[fields.indexOf(name) + 1];
      return field("k") === sessionId && field("t") !== "WaitEstimated" ? [field("t")!] : [];
    });
  }
  const reasonOf = (error: ServiceError) => ({ code: error.code, reason: errorReason(error) });

  it("runs no timer, so the deadline tests below see offers the timer has not expired", async () => {
    expect(await redis.get(LEADER_LOCK)).toBe("a-stranger");
    expect(service.output.some((line) => line.includes('"msg":"became leader"'))).toBe(false);
  });

  it("refuses an accept after the offer's deadline with OFFER_EXPIRED even before the expiry timer ran", async () => {
    const siteId = await siteWith(100);
    await repOnline(acd, siteId, "ann", ["support"]);
    await enqueue(siteId, "late");
    await new Promise((resolve) => setTimeout(resolve, 250));
    const refused = await grpcError(acd.acceptOffer({ siteId, sessionId: "late", repId: "ann", epoch: 1 }));
    expect(reasonOf(refused)).toEqual({ code: status.FAILED_PRECONDITION, reason: "OFFER_EXPIRED" });
    const info = errorInfo(refused);
    expect(info?.domain).toBe("handoff.acd");
    expect(info?.metadata).toMatchObject({ session_id: "late", epoch: "1" });
    expect(Number(info?.metadata.expired_at_ms)).toBeLessThanOrEqual(Date.now());
    // The timer never ran: the offer is still open, and the accept changed nothing.
    expect(await acd.getSessionRouting({ siteId, sessionId: "late" })).toMatchObject({
      state: SessionState.SESSION_STATE_OFFERED,
      repId: "ann",
      epoch: 1,
    });
    expect(await eventsOf(siteId, "late")).toEqual(["SessionQueued", "OfferCreated"]);
  });

  it("accepts an offer within its deadline, and answers a retried accept of the same rep and epoch with OK once more", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "bob", ["support"], 2);
    await enqueue(siteId, "s");
    await acd.acceptOffer({ siteId, sessionId: "s", repId: "bob", epoch: 1 });
    await acd.acceptOffer({ siteId, sessionId: "s", repId: "bob", epoch: 1 });
    expect(await eventsOf(siteId, "s")).toEqual(["SessionQueued", "OfferCreated", "OfferAccepted"]);
    expect(await acd.getRepRouting({ siteId, repId: "bob" })).toMatchObject({ load: 1, active: 1 });
    // Another rep's accept at that epoch stays refused: the session is no longer offered.
    await repOnline(acd, siteId, "cat", ["support"]);
    const other = await grpcError(acd.acceptOffer({ siteId, sessionId: "s", repId: "cat", epoch: 1 }));
    expect(reasonOf(other)).toEqual({ code: status.FAILED_PRECONDITION, reason: "SESSION_NOT_OFFERED" });
    expect(errorInfo(other)?.metadata).toEqual({ session_id: "s", state: "active" });
  });

  it("answers a repeated enqueue with where the session stands, keeping its place", async () => {
    const siteId = await siteWith();
    await enqueue(siteId, "first", 1);
    await enqueue(siteId, "second", 1);
    const again = await enqueue(siteId, "first", 9);
    expect(again).toMatchObject({ offeredRepId: "", position: { position: 1, queueLength: 2 } });
    expect(await acd.getSessionRouting({ siteId, sessionId: "first" })).toMatchObject({ priority: 1, epoch: 0 });
    expect(
      (await acd.getQueuePosition({ siteId, sessionId: "second", recordEstimate: false })).position!.position,
    ).toBe(2);

    await repOnline(acd, siteId, "dan", ["support"]);
    expect(await enqueue(siteId, "first")).toMatchObject({ offeredRepId: "dan", position: { position: 0 } });
    await acd.acceptOffer({ siteId, sessionId: "first", repId: "dan", epoch: 1 });
    expect(await enqueue(siteId, "first")).toMatchObject({ offeredRepId: "dan", position: { position: 0 } });
    expect(await eventsOf(siteId, "first")).toEqual(["SessionQueued", "OfferCreated", "OfferAccepted"]);

    await acd.endSession({ siteId, sessionId: "first", repId: "dan", epoch: 1 });
    const over = await grpcError(enqueue(siteId, "first"));
    expect(reasonOf(over)).toEqual({ code: status.ALREADY_EXISTS, reason: "SESSION_ALREADY_QUEUED" });
    expect(errorInfo(over)?.metadata).toEqual({ session_id: "first", state: "ended" });
  });

  it("gives every refusal a machine-readable reason in domain handoff.acd", async () => {
    const siteId = await siteWith();
    await repOnline(acd, siteId, "eve", ["support"]);
    await enqueue(siteId, "s");
    const seen: [string, number, string | undefined][] = [];
    const refused = async (call: Promise<unknown>) => {
      const error = await grpcError(call);
      seen.push([String(seen.length), error.code, errorReason(error)]);
      return error;
    };
    const stale = await refused(acd.acceptOffer({ siteId, sessionId: "s", repId: "eve", epoch: 7 }));
    await refused(acd.acceptOffer({ siteId, sessionId: "s", repId: "fay", epoch: 1 }));
    await refused(acd.endSession({ siteId, sessionId: "s", repId: "eve", epoch: 1 }));
    await acd.acceptOffer({ siteId, sessionId: "s", repId: "eve", epoch: 1 });
    // An end names the rep the session is assigned to (issue 11): the id and epoch alone are not enough.
    await refused(acd.endSession({ siteId, sessionId: "s", repId: "fay", epoch: 1 }));
    await refused(acd.rejectOffer({ siteId, sessionId: "s", repId: "eve", epoch: 1 }));
    await refused(acd.abandonSession({ siteId, sessionId: "s", reason: 1 }));
    await refused(acd.transferSession({ siteId, sessionId: "s", epoch: 1, target: repTarget("eve") }));
    await acd.endSession({ siteId, sessionId: "s", repId: "eve", epoch: 1 });
    await refused(acd.requeueSession({ siteId, sessionId: "s", epoch: 1, target: undefined, reason: "rep_left" }));
    await refused(acd.getSessionRouting({ siteId, sessionId: "nobody" }));
    await refused(
      acd.enqueueSession({
        siteId,
        sessionId: "n",
        target: teamTarget("nope"),
        problemTypeId: "",
        priority: 0,
        requiredSkills: [],
      }),
    );
    await refused(acd.pullNextSession({ siteId, repId: "stranger" }));
    await refused(
      acd.enqueueSession({
        siteId,
        sessionId: "n",
        target: undefined,
        problemTypeId: "nope",
        priority: 0,
        requiredSkills: [],
      }),
    );
    await refused(acd.getTeamAvailability({ siteId: "no-such-site", teamId: "support" }));
    await refused(
      acd.putRoutingConfig({
        siteId,
        config: { teams: [team("support", { offerTimeoutMs: -1 })], problemTypes: [], version: 0 },
      }),
    );
    expect(seen.map(([, code, reason]) => `${status[code]} ${reason}`)).toEqual([
      "FAILED_PRECONDITION STALE_EPOCH",
      "FAILED_PRECONDITION WRONG_REP",
      "FAILED_PRECONDITION SESSION_NOT_ACTIVE",
      "FAILED_PRECONDITION WRONG_REP",
      "FAILED_PRECONDITION SESSION_NOT_OFFERED",
      "FAILED_PRECONDITION SESSION_NOT_WAITING",
      "INVALID_ARGUMENT TRANSFER_TO_SELF",
      "FAILED_PRECONDITION SESSION_NOT_ASSIGNED",
      "NOT_FOUND SESSION_NOT_FOUND",
      "INVALID_ARGUMENT UNKNOWN_TEAM",
      "INVALID_ARGUMENT UNKNOWN_REP",
      "INVALID_ARGUMENT UNKNOWN_PROBLEM_TYPE",
      "INVALID_ARGUMENT UNKNOWN_SITE",
      "INVALID_ARGUMENT ROUTING_CONFIG_INVALID",
    ]);
    expect(errorInfo(stale)).toEqual({
      reason: "STALE_EPOCH",
      domain: "handoff.acd",
      metadata: { session_id: "s", epoch: "7", current_epoch: "1", rep_id: "eve" },
    });
  });
});
