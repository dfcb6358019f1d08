import { status } from "@grpc/grpc-js";
import type { HeldSession, WaitingSession } from "@handoff/proto/acd_service";
import { SessionState, type QueueTarget } from "@handoff/proto/common";
import { errorReason } from "@handoff/runtime";
import { beforeAll, describe, expect, it } from "vitest";
import { subscribeOffers, type Acd } from "../support/acd-client";
import { grpcError, redisBackends, runAcd } from "../support/acd-under-test";
import { repOnline, repTarget, team, teamTarget } from "../support/routing-fixture";

describe.each(redisBackends)("acd requeue, batch reads and rebuilds on %s", (_name, redisEnv) => {
  const running = runAcd(redisEnv);
  let acd: Acd;
  beforeAll(() => {
    acd = running.acd;
  });
  const siteWith = running.siteWith;
  const enqueue = (siteId: string, sessionId: string, target: QueueTarget = teamTarget("support")) =>
    acd.enqueueSession({ siteId, sessionId, target, problemTypeId: "", priority: 0, requiredSkills: [] });
  const routing = (siteId: string, sessionId: string) => acd.getSessionRouting({ siteId, sessionId });
  const waiting = (sessionId: string, overrides: Partial<WaitingSession> = {}): WaitingSession => ({
    sessionId,
    target: teamTarget("support"),
    problemTypeId: "",
    priority: 0,
    requiredSkills: [],
    enqueuedAtMs: Date.now() - 60_000,
    epoch: 0,
    ...overrides,
  });
  const held = (
    sessionId: string,
    repId: string,
    epoch: number,
    overrides: Partial<HeldSession> = {},
  ): HeldSession => ({
    sessionId,
    repId,
    epoch,
    target: teamTarget("support"),
    priority: 0,
    enqueuedAtMs: Date.now() - 120_000,
    ...overrides,
  });

  describe("RequeueSession", () => {
    it("puts an active session back at its original place, frees the rep, bumps the epoch and offers it to another rep", async () => {
      const siteId = await siteWith();
      await repOnline(acd, siteId, "ann", ["support"]);
      await enqueue(siteId, "first");
      await acd.acceptOffer({ siteId, sessionId: "first", repId: "ann", epoch: 1 });
      await enqueue(siteId, "second");
      await enqueue(siteId, "third");

      const requeued = await acd.requeueSession({
        siteId,
        sessionId: "first",
        epoch: 1,
        target: undefined,
        reason: "rep_left",
      });
      // ann was freed, but she left the session: she gets the next one, and it waits first in line.
      expect(requeued).toMatchObject({ offeredRepId: "", epoch: 2, position: { position: 1, queueLength: 2 } });
      expect(await routing(siteId, "first")).toMatchObject({
        state: SessionState.SESSION_STATE_WAITING,
        epoch: 2,
        repId: "",
        target: teamTarget("support"),
      });
      expect(await routing(siteId, "second")).toMatchObject({
        state: SessionState.SESSION_STATE_OFFERED,
        repId: "ann",
      });
      expect(await acd.getRepRouting({ siteId, repId: "ann" })).toMatchObject({ load: 1, active: 0 });
      const stale = await grpcError(acd.endSession({ siteId, sessionId: "first", repId: "ann", epoch: 1 }));
      expect([stale.code, errorReason(stale)]).toEqual([status.FAILED_PRECONDITION, "STALE_EPOCH"]);

      await repOnline(acd, siteId, "bob", ["support"]);
      expect(await routing(siteId, "first")).toMatchObject({
        state: SessionState.SESSION_STATE_OFFERED,
        repId: "bob",
        epoch: 3,
      });
    });

    it("requeues an offered session, so the old offer's accept is refused as stale", async () => {
      const siteId = await siteWith();
      await repOnline(acd, siteId, "cy", ["support"]);
      await enqueue(siteId, "o");
      const requeued = await acd.requeueSession({
        siteId,
        sessionId: "o",
        epoch: 1,
        target: undefined,
        reason: "reconciler",
      });
      expect(requeued).toMatchObject({ offeredRepId: "", epoch: 2, position: { position: 1, queueLength: 1 } });
      expect(await acd.getRepRouting({ siteId, repId: "cy" })).toMatchObject({ load: 0, active: 0 });
      const late = await grpcError(acd.acceptOffer({ siteId, sessionId: "o", repId: "cy", epoch: 1 }));
      expect(errorReason(late)).toBe("STALE_EPOCH");
    });

    it("offers a session requeued to a rep's personal queue to him at once, also when it goes back to its own rep", async () => {
      const siteId = await siteWith([team("support"), team("sales")]);
      await repOnline(acd, siteId, "dee", ["support"]);
      await repOnline(acd, siteId, "eli", ["sales"]);
      await enqueue(siteId, "p");
      await acd.acceptOffer({ siteId, sessionId: "p", repId: "dee", epoch: 1 });
      const toEli = await acd.requeueSession({
        siteId,
        sessionId: "p",
        epoch: 1,
        target: repTarget("eli"),
        reason: "commit_failed",
      });
      expect(toEli).toMatchObject({ offeredRepId: "eli", epoch: 3, position: { position: 0 } });
      expect(await routing(siteId, "p")).toMatchObject({ target: repTarget("eli"), epoch: 3 });

      const back = await acd.requeueSession({
        siteId,
        sessionId: "p",
        epoch: 3,
        target: undefined,
        reason: "rep_disconnected",
      });
      // Back to eli's personal queue (where it was answered from), and eli may take it again.
      expect(back).toMatchObject({ offeredRepId: "eli", epoch: 5 });
    });

    // Found by the concurrency test: the requeue matched its rep again from a stale copy of his load.
    it("never offers a rep beyond his capacity when a requeued session goes back to him", async () => {
      const siteId = await siteWith();
      await repOnline(acd, siteId, "ray", ["support"], 2);
      await enqueue(siteId, "mine", repTarget("ray"));
      await acd.acceptOffer({ siteId, sessionId: "mine", repId: "ray", epoch: 1 });
      await enqueue(siteId, "t1");
      await enqueue(siteId, "t2");
      const back = await acd.requeueSession({
        siteId,
        sessionId: "mine",
        epoch: 1,
        target: undefined,
        reason: "commit_failed",
      });
      expect(back.offeredRepId).toBe("ray");
      expect(await acd.getRepRouting({ siteId, repId: "ray" })).toMatchObject({ load: 2, active: 0 });
      expect(await routing(siteId, "t2")).toMatchObject({ state: SessionState.SESSION_STATE_WAITING });
    });

    it("moves a session to another team's queue, keeping its enqueue time", async () => {
      const siteId = await siteWith([team("support"), team("sales")]);
      await enqueue(siteId, "older", teamTarget("sales"));
      await repOnline(acd, siteId, "fin", ["support"]);
      await enqueue(siteId, "moved");
      await acd.acceptOffer({ siteId, sessionId: "moved", repId: "fin", epoch: 1 });
      await enqueue(siteId, "newer", teamTarget("sales"));
      const moved = await acd.requeueSession({
        siteId,
        sessionId: "moved",
        epoch: 1,
        target: teamTarget("sales"),
        reason: "rep_left",
      });
      expect(moved.position).toMatchObject({ position: 2, queueLength: 3 });
      expect(
        (await acd.getQueuePosition({ siteId, sessionId: "newer", recordEstimate: false })).position!.position,
      ).toBe(3);
      expect(await acd.getRepRouting({ siteId, repId: "fin" })).toMatchObject({ load: 0, active: 0 });
    });

    it("schedules again an overflow step that came due while the session was active", async () => {
      const siteId = await siteWith([
        team("tier1", { overflow: [{ afterMs: 300, addTeamIds: ["tier2"], priorityIncrease: 0 }] }),
        team("tier2"),
      ]);
      await repOnline(acd, siteId, "gus", ["tier1"]);
      await enqueue(siteId, "v", teamTarget("tier1"));
      await acd.acceptOffer({ siteId, sessionId: "v", repId: "gus", epoch: 1 });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await repOnline(acd, siteId, "hal", ["tier2"]);
      const inbox = await subscribeOffers(acd, siteId, ["hal"]);
      await acd.requeueSession({ siteId, sessionId: "v", epoch: 1, target: undefined, reason: "rep_left" });
      const offer = await inbox.next((o) => o.sessionId === "v", 5_000);
      expect(offer.decision!.trigger).toBe("overflow");
      inbox.close();
    });

    it("refuses a stale epoch, a waiting session and an unknown target, changing nothing", async () => {
      const siteId = await siteWith();
      await repOnline(acd, siteId, "ida", ["support"]);
      await enqueue(siteId, "x");
      const request = { siteId, sessionId: "x", epoch: 1, target: undefined, reason: "" };
      const stale = await grpcError(acd.requeueSession({ ...request, epoch: 4 }));
      expect([stale.code, errorReason(stale)]).toEqual([status.FAILED_PRECONDITION, "STALE_EPOCH"]);
      const team = await grpcError(acd.requeueSession({ ...request, target: teamTarget("nope") }));
      expect([team.code, errorReason(team), team.details.split(":")[0]]).toEqual([
        status.INVALID_ARGUMENT,
        "UNKNOWN_TEAM",
        "target.team_id",
      ]);
      const rep = await grpcError(acd.requeueSession({ ...request, target: repTarget("nobody") }));
      expect([rep.code, errorReason(rep), rep.details.split(":")[0]]).toEqual([
        status.INVALID_ARGUMENT,
        "UNKNOWN_REP",
        "target.rep_id",
      ]);
      const zero = await grpcError(acd.requeueSession({ ...request, epoch: 0 }));
      expect([zero.code, zero.details.split(":")[0]]).toEqual([status.INVALID_ARGUMENT, "epoch"]);
      await enqueue(siteId, "w");
      const waitingOne = await grpcError(acd.requeueSession({ ...request, sessionId: "w", epoch: 1 }));
      expect(errorReason(waitingOne)).toBe("STALE_EPOCH");
      expect(await routing(siteId, "x")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, epoch: 1 });
      expect(await acd.getRepRouting({ siteId, repId: "ida" })).toMatchObject({ load: 1 });
    });
  });

  describe("BatchGetSessionRouting", () => {
    it("answers in request order, with known false for sessions the acd does not hold", async () => {
      const siteId = await siteWith();
      await repOnline(acd, siteId, "jo", ["support"]);
      await enqueue(siteId, "offered");
      await enqueue(siteId, "waiting");
      const { sessions } = await acd.batchGetSessionRouting({
        siteId,
        sessionIds: ["waiting", "ghost", "offered", "waiting"],
      });
      expect(sessions).toEqual([
        {
          sessionId: "waiting",
          known: true,
          state: SessionState.SESSION_STATE_WAITING,
          repId: "",
          epoch: 0,
          target: teamTarget("support"),
        },
        {
          sessionId: "ghost",
          known: false,
          state: SessionState.SESSION_STATE_UNSPECIFIED,
          repId: "",
          epoch: 0,
          target: undefined,
        },
        {
          sessionId: "offered",
          known: true,
          state: SessionState.SESSION_STATE_OFFERED,
          repId: "jo",
          epoch: 1,
          target: teamTarget("support"),
        },
        expect.objectContaining({ sessionId: "waiting", known: true }),
      ]);
      const nothing = await acd.batchGetSessionRouting({ siteId: "never-configured", sessionIds: ["a"] });
      expect(nothing.sessions).toEqual([expect.objectContaining({ sessionId: "a", known: false })]);
      expect((await acd.batchGetSessionRouting({ siteId, sessionIds: [] })).sessions).toEqual([]);
    });

    it("refuses more than 1,000 ids or a bad one with INVALID_ARGUMENT naming the field", async () => {
      const siteId = await siteWith();
      const tooMany = await grpcError(
        acd.batchGetSessionRouting({ siteId, sessionIds: Array.from({ length: 1_001 }, (_, i) => `s${i}`) }),
      );
      expect([tooMany.code, tooMany.details.split(":")[0]]).toEqual([status.INVALID_ARGUMENT, "session_ids"]);
      const bad = await grpcError(acd.batchGetSessionRouting({ siteId, sessionIds: ["ok", ""] }));
      expect([bad.code, bad.details.split(":")[0]]).toEqual([status.INVALID_ARGUMENT, "session_ids[1]"]);
    });
  });

  describe("RebuildQueues", () => {
    it("continues a waiting session's epoch above the one the broker knows", async () => {
      const siteId = await siteWith();
      const result = await acd.rebuildQueues({ siteId, sessions: [waiting("w", { epoch: 7 })], held: [] });
      expect(result).toEqual({ restored: 1, skipped: 0, heldRestored: 0 });
      expect(await routing(siteId, "w")).toMatchObject({ state: SessionState.SESSION_STATE_WAITING, epoch: 7 });
      await repOnline(acd, siteId, "kai", ["support"]);
      expect(await routing(siteId, "w")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, epoch: 8 });
    });

    it("restores held sessions as their reps' active load, so capacity is respected, and skips known sessions", async () => {
      const siteId = await siteWith();
      await repOnline(acd, siteId, "lou", ["support"], 1);
      const request = {
        siteId,
        held: [held("h", "lou", 3)],
        sessions: [waiting("w")],
      };
      expect(await acd.rebuildQueues(request)).toEqual({ restored: 1, skipped: 0, heldRestored: 1 });
      expect(await routing(siteId, "h")).toMatchObject({
        state: SessionState.SESSION_STATE_ACTIVE,
        repId: "lou",
        epoch: 3,
        target: teamTarget("support"),
      });
      expect(await acd.getRepRouting({ siteId, repId: "lou" })).toMatchObject({ load: 1, active: 1 });
      // lou is full: the waiting session is not offered to him.
      expect(await routing(siteId, "w")).toMatchObject({ state: SessionState.SESSION_STATE_WAITING });
      // Idempotent: a second rebuild changes nothing.
      expect(await acd.rebuildQueues(request)).toEqual({ restored: 0, skipped: 2, heldRestored: 0 });
      expect(await acd.getRepRouting({ siteId, repId: "lou" })).toMatchObject({ load: 1, active: 1 });

      // The broker's fencing token goes on working: ending it frees lou, who gets the waiting one.
      await acd.endSession({ siteId, sessionId: "h", repId: "lou", epoch: 3 });
      expect(await routing(siteId, "w")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "lou" });
    });

    it("counts a held session as the load of a rep presence has not reported yet", async () => {
      const siteId = await siteWith();
      await acd.rebuildQueues({ siteId, held: [held("h", "max", 2)], sessions: [waiting("w")] });
      expect(await acd.getRepRouting({ siteId, repId: "max" })).toMatchObject({ known: false, load: 1, active: 1 });
      await repOnline(acd, siteId, "max", ["support"], 1);
      expect(await acd.getRepRouting({ siteId, repId: "max" })).toMatchObject({ known: true, load: 1, active: 1 });
      expect(await routing(siteId, "w")).toMatchObject({ state: SessionState.SESSION_STATE_WAITING });
      await repOnline(acd, siteId, "max", ["support"], 2);
      expect(await routing(siteId, "w")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "max" });
    });

    it("withdraws a rep's open offer that a restored held session leaves no room for, and re-routes it", async () => {
      const siteId = await siteWith();
      await repOnline(acd, siteId, "ned", ["support"], 1);
      await enqueue(siteId, "o");
      await repOnline(acd, siteId, "oli", ["support"], 1);
      expect(await acd.rebuildQueues({ siteId, held: [held("h", "ned", 5)], sessions: [] })).toMatchObject({
        heldRestored: 1,
      });
      expect(await routing(siteId, "o")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "oli" });
      expect(await acd.getRepRouting({ siteId, repId: "ned" })).toMatchObject({ load: 1, active: 1 });
    });

    it("refuses a held session with a bad field or an unknown team, naming it", async () => {
      const siteId = await siteWith();
      const cases: [HeldSession, string][] = [
        [held("", "r", 1), "held[0].session_id"],
        [held("h", "", 1), "held[0].rep_id"],
        [held("h", "r", 0), "held[0].epoch"],
        [held("h", "r", 1, { target: undefined }), "held[0].target"],
        [held("h", "r", 1, { target: teamTarget("nope") }), "held[0].target.team_id"],
      ];
      for (const [bad, field] of cases) {
        const error = await grpcError(acd.rebuildQueues({ siteId, held: [bad], sessions: [] }));
        expect([error.code, error.details.split(":")[0]]).toEqual([status.INVALID_ARGUMENT, field]);
      }
      const epoch = await grpcError(acd.rebuildQueues({ siteId, held: [], sessions: [waiting("w", { epoch: -1 })] }));
      expect(epoch.details.split(":")[0]).toBe("sessions[0].epoch");
      expect(
        (await acd.batchGetSessionRouting({ siteId, sessionIds: ["h", "w"] })).sessions.map((s) => s.known),
      ).toEqual([false, false]);
    });
  });
});
