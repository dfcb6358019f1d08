import { status } from "@grpc/grpc-js";
import { AbandonReason, SessionState } from "@handoff/proto/common";
import { describe, expect, it } from "vitest";
import { grpcError, redisBackends, runAcd } from "../support/acd-under-test";
import { enqueueInTeam, repOnline } from "../support/routing-fixture";

/**
 * Keep my place (docs/keep-my-place.md): the acd's away flag, step by step. The random run checks the
 * same rules under concurrency; this shows each one in its smallest scenario.
 */
describe.each(redisBackends)("a customer away keeping his place, on %s", (_, redisEnv) => {
  const running = runAcd(redisEnv);
  const enqueue = (siteId: string, sessionId: string) => enqueueInTeam(running.acd, siteId, sessionId);
  const routing = (siteId: string, sessionId: string) => running.acd.getSessionRouting({ siteId, sessionId });

  it("keeps his place while later customers are served, and is offered at once when he is back", async () => {
    const { acd } = running;
    const siteId = await running.siteWith();
    await enqueue(siteId, "first");
    await enqueue(siteId, "second");
    expect(await acd.setAwayFlag({ siteId, sessionId: "first", away: true, version: 1 })).toEqual({
      applied: true,
      away: true,
      offeredRepId: "",
    });

    // A rep comes: the session behind him is offered, he is skipped but stays first in the queue.
    await repOnline(acd, siteId, "alice", ["support"]);
    expect(await routing(siteId, "second")).toMatchObject({
      state: SessionState.SESSION_STATE_OFFERED,
      repId: "alice",
    });
    expect(await acd.getQueuePosition({ siteId, sessionId: "first", recordEstimate: false })).toMatchObject({
      position: { position: 1 },
    });
    // A third customer queues behind him; a second rep takes the third, not him.
    await enqueue(siteId, "third");
    await repOnline(acd, siteId, "bob", ["support"]);
    expect(await routing(siteId, "third")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "bob" });
    expect(await routing(siteId, "first")).toMatchObject({ state: SessionState.SESSION_STATE_WAITING });

    // Back with no free rep: he waits at the head; the first unit freed is his.
    expect(await acd.setAwayFlag({ siteId, sessionId: "first", away: false, version: 2 })).toMatchObject({
      applied: true,
      away: false,
      offeredRepId: "",
    });
    await enqueue(siteId, "fourth");
    const offered = await routing(siteId, "second");
    await acd.rejectOffer({ siteId, sessionId: "second", repId: "alice", epoch: offered.epoch });
    expect(await routing(siteId, "first")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "alice" });
    expect(await routing(siteId, "fourth")).toMatchObject({ state: SessionState.SESSION_STATE_WAITING });
  });

  it("is matched by the return itself when a rep is free (work-conserving)", async () => {
    const { acd } = running;
    const siteId = await running.siteWith();
    await enqueue(siteId, "away");
    await acd.setAwayFlag({ siteId, sessionId: "away", away: true, version: 1 });
    await repOnline(acd, siteId, "carol", ["support"]);
    expect(await routing(siteId, "away")).toMatchObject({ state: SessionState.SESSION_STATE_WAITING });
    // Pulling the next session skips him too.
    expect((await acd.pullNextSession({ siteId, repId: "carol" })).offer).toBeUndefined();
    expect(await acd.setAwayFlag({ siteId, sessionId: "away", away: false, version: 2 })).toEqual({
      applied: true,
      away: false,
      offeredRepId: "carol",
    });
  });

  it("ignores a change not newer than the last applied, so a late retry never undoes a return", async () => {
    const { acd } = running;
    const siteId = await running.siteWith();
    await enqueue(siteId, "s");
    await acd.setAwayFlag({ siteId, sessionId: "s", away: true, version: 1 });
    await acd.setAwayFlag({ siteId, sessionId: "s", away: false, version: 2 });
    for (const version of [1, 2])
      expect(await acd.setAwayFlag({ siteId, sessionId: "s", away: true, version })).toEqual({
        applied: false,
        away: false,
        offeredRepId: "",
      });
    await repOnline(acd, siteId, "dave", ["support"]);
    expect(await routing(siteId, "s")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "dave" });
  });

  it("keeps an offer made before he left; once accepted the flag is over, so a requeue offers him again", async () => {
    const { acd } = running;
    const siteId = await running.siteWith();
    await repOnline(acd, siteId, "erin", ["support"]);
    await enqueue(siteId, "s");
    const { epoch } = await routing(siteId, "s");
    await acd.setAwayFlag({ siteId, sessionId: "s", away: true, version: 1 });
    expect(await routing(siteId, "s")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "erin" });
    await acd.acceptOffer({ siteId, sessionId: "s", repId: "erin", epoch });
    const requeued = await acd.requeueSession({ siteId, sessionId: "s", epoch, reason: "rep_left" });
    // Erin may not take it again (she left it); Frank, a new rep, is offered it at once.
    expect(requeued.offeredRepId).toBe("");
    await repOnline(acd, siteId, "frank", ["support"]);
    expect(await routing(siteId, "s")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "frank" });
  });

  it("refuses going away once the session is active or over, and bad input naming the field", async () => {
    const { acd } = running;
    const siteId = await running.siteWith();
    await enqueue(siteId, "gone");
    await acd.abandonSession({
      siteId,
      sessionId: "gone",
      reason: AbandonReason.ABANDON_REASON_CUSTOMER_DID_NOT_RETURN,
    });
    const over = await grpcError(acd.setAwayFlag({ siteId, sessionId: "gone", away: true, version: 1 }));
    expect(over.code).toBe(status.FAILED_PRECONDITION);
    const unknown = await grpcError(acd.setAwayFlag({ siteId, sessionId: "nobody", away: true, version: 1 }));
    expect(unknown.code).toBe(status.NOT_FOUND);
    const badVersion = await grpcError(acd.setAwayFlag({ siteId, sessionId: "gone", away: true, version: 0 }));
    expect(badVersion.code).toBe(status.INVALID_ARGUMENT);
    expect(badVersion.details).toContain("version");
    const badId = await grpcError(acd.setAwayFlag({ siteId, sessionId: "", away: true, version: 1 }));
    expect(badId.details).toContain("session_id");
  });
});
