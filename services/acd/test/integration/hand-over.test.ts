import { status } from "@grpc/grpc-js";
import { SessionState } from "@handoff/proto/common";
import { errorReason } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { describe, expect, it } from "vitest";
import { grpcError, runAcd } from "../support/acd-under-test";
import { enqueueInTeam, repOnline } from "../support/routing-fixture";

// Issue 11, left from the last stop: after a hand-over the acd still counted the session against the
// rep who left, so he stayed busy and the rep who took control could be offered sessions beyond his
// capacity. HandOverSession moves the load, fenced by the assignment's epoch and its holder.
describe("handing over control of a session", () => {
  const running = runAcd(() => ({ REDIS_URL: infrastructureEnv().REDIS_URL }));

  const enqueue = (siteId: string, sessionId: string) => enqueueInTeam(running.acd, siteId, sessionId);
  const routing = (siteId: string, sessionId: string) => running.acd.getSessionRouting({ siteId, sessionId });
  const load = async (siteId: string, repId: string) => {
    const rep = await running.acd.getRepRouting({ siteId, repId });
    return { load: rep.load, active: rep.active };
  };
  /** `repId`, alone with free capacity, is offered `sessionId` and accepts it (epoch 1). */
  async function activeWith(siteId: string, sessionId: string, repId: string) {
    await enqueue(siteId, sessionId);
    expect(await routing(siteId, sessionId)).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId });
    await running.acd.acceptOffer({ siteId, sessionId, repId, epoch: 1 });
  }

  it("counts the session against the rep who took control: the leaving rep takes a new one, the other cannot exceed his capacity", async () => {
    const { acd } = running;
    const siteId = await running.siteWith();
    await repOnline(acd, siteId, "ann", ["support"]);
    await activeWith(siteId, "s1", "ann");
    await repOnline(acd, siteId, "bob", ["support"]);

    await acd.handOverSession({ siteId, sessionId: "s1", epoch: 1, fromRepId: "ann", toRepId: "bob" });
    expect(await load(siteId, "ann")).toEqual({ load: 0, active: 0 });
    expect(await load(siteId, "bob")).toEqual({ load: 1, active: 1 });
    expect(await routing(siteId, "s1")).toMatchObject({
      state: SessionState.SESSION_STATE_ACTIVE,
      repId: "bob",
      epoch: 1,
    });

    // Ann (capacity 1) is free again; Bob (capacity 1) is full, so the next session waits for a rep.
    await enqueue(siteId, "s2");
    expect(await routing(siteId, "s2")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "ann" });
    await enqueue(siteId, "s3");
    expect((await routing(siteId, "s3")).state).toBe(SessionState.SESSION_STATE_WAITING);
    expect(await load(siteId, "bob")).toEqual({ load: 1, active: 1 });

    // The end names the rep who holds it now.
    const wrongRep = await grpcError(acd.endSession({ siteId, sessionId: "s1", repId: "ann", epoch: 1 }));
    expect([wrongRep.code, errorReason(wrongRep)]).toEqual([status.FAILED_PRECONDITION, "WRONG_REP"]);
    await acd.endSession({ siteId, sessionId: "s1", repId: "bob", epoch: 1 });
    expect(await routing(siteId, "s3")).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "bob" });
  });

  it("withdraws the receiving rep's open offer that no longer fits, and re-routes it", async () => {
    const { acd } = running;
    const siteId = await running.siteWith();
    await repOnline(acd, siteId, "carol", ["support"]);
    await activeWith(siteId, "held", "carol");
    await repOnline(acd, siteId, "dan", ["support"]);
    await enqueue(siteId, "offered-to-dan");
    expect(await routing(siteId, "offered-to-dan")).toMatchObject({
      state: SessionState.SESSION_STATE_OFFERED,
      repId: "dan",
    });

    await acd.handOverSession({ siteId, sessionId: "held", epoch: 1, fromRepId: "carol", toRepId: "dan" });
    expect(await load(siteId, "dan")).toEqual({ load: 1, active: 1 });
    // Carol's freed unit takes the withdrawn session.
    expect(await routing(siteId, "offered-to-dan")).toMatchObject({
      state: SessionState.SESSION_STATE_OFFERED,
      repId: "carol",
    });
  });

  it("is fenced: a stale epoch or a rep who does not hold it changes nothing, and asking again is harmless", async () => {
    const { acd } = running;
    const siteId = await running.siteWith();
    await repOnline(acd, siteId, "eve", ["support"]);
    await activeWith(siteId, "s1", "eve");

    const stale = await grpcError(
      acd.handOverSession({ siteId, sessionId: "s1", epoch: 2, fromRepId: "eve", toRepId: "fay" }),
    );
    expect([stale.code, errorReason(stale)]).toEqual([status.FAILED_PRECONDITION, "STALE_EPOCH"]);
    const notHers = await grpcError(
      acd.handOverSession({ siteId, sessionId: "s1", epoch: 1, fromRepId: "fay", toRepId: "gus" }),
    );
    expect([notHers.code, errorReason(notHers)]).toEqual([status.FAILED_PRECONDITION, "WRONG_REP"]);
    expect(await load(siteId, "eve")).toEqual({ load: 1, active: 1 });

    await acd.handOverSession({ siteId, sessionId: "s1", epoch: 1, fromRepId: "eve", toRepId: "fay" });
    await acd.handOverSession({ siteId, sessionId: "s1", epoch: 1, fromRepId: "eve", toRepId: "fay" });
    expect([await load(siteId, "eve"), await load(siteId, "fay")]).toEqual([
      { load: 0, active: 0 },
      { load: 1, active: 1 },
    ]);
    const missing = await grpcError(
      acd.handOverSession({ siteId, sessionId: "s1", epoch: 1, fromRepId: "", toRepId: "fay" }),
    );
    expect([missing.code, missing.details]).toEqual([status.INVALID_ARGUMENT, expect.stringContaining("from_rep_id")]);
  });
});
