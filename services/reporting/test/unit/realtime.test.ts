import { describe, expect, it } from "vitest";
import { queuesNow, type RepNow } from "../../src/domain/realtime";

const rep = (repId: string, state: string, teamIds: string[], load = 0): RepNow => ({
  repId,
  state,
  reasonCode: "",
  sinceMs: 0,
  teamIds,
  load,
});

describe("queues now", () => {
  it("gives each queue its waiting count, longest wait, latest known estimate and the team's reps by state", () => {
    const queues = queuesNow(
      [
        { queue: { kind: "team", id: "t1" }, waitStartedAtMs: 1_000, estimate: { givenAtMs: 1_500, p50Ms: 30_000 } },
        { queue: { kind: "team", id: "t1" }, waitStartedAtMs: 4_000, estimate: { givenAtMs: 4_500, p50Ms: 45_000 } },
        { queue: { kind: "rep", id: "r1" }, waitStartedAtMs: 9_000, estimate: null },
      ],
      [
        rep("r1", "REP_STATE_AVAILABLE", ["t1"], 1),
        rep("r2", "REP_STATE_AWAY", ["t1", "t2"]),
        rep("r3", "REP_STATE_BUSY", ["t2"], 2),
      ],
      10_000,
    );
    expect(queues).toEqual([
      { queue: { kind: "rep", id: "r1" }, waiting: 1, longestWaitMs: 1_000, ewtP50Ms: null, reps: null },
      {
        queue: { kind: "team", id: "t1" },
        waiting: 2,
        longestWaitMs: 9_000,
        ewtP50Ms: 45_000,
        reps: { available: 1, busy: 0, away: 1, onSession: 1 },
      },
      {
        queue: { kind: "team", id: "t2" },
        waiting: 0,
        longestWaitMs: null,
        ewtP50Ms: null,
        reps: { available: 0, busy: 1, away: 1, onSession: 1 },
      },
    ]);
  });
});
