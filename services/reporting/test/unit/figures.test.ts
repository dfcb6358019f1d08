import { describe, expect, it } from "vitest";
import { intervalBuckets, rangeBucket } from "../../src/domain/buckets";
import { fairnessFigures } from "../../src/domain/fairness";
import { groupOf } from "../../src/domain/figure-groups";
import { queueFigures, type QueueFigures } from "../../src/domain/queue-figures";
import { repFigures } from "../../src/domain/rep-figures";
import { repTimelines } from "../../src/domain/rep-timeline";
import { factsOf } from "../support/day-facts";
import { handmadeDay } from "../support/handmade-day";

// The hand-made morning (test/support/handmade-day.ts); its times are UTC, so are the intervals here.
const DAY = Date.UTC(2026, 10, 2);
const at = (h: number, m: number, s = 0) => DAY + ((h * 60 + m) * 60 + s) * 1_000;
const MIN = 60_000;
const facts = factsOf("site-a", handmadeDay("site-a", DAY));
const intervals = intervalBuckets("UTC", DAY, DAY + 86_400_000);
const settings = { answerThresholdMs: () => 20_000, shortAbandonMs: 5_000 };

function queueAt(figures: QueueFigures[], teamId: string, startMs: number): QueueFigures | undefined {
  return figures.find((f) => f.queue.id === teamId && f.bucket.startMs === startMs);
}

describe("queue figures of the hand-made morning", () => {
  const figures = queueFigures(facts.sessions, intervals, settings);

  it("counts t1's 09:00 interval: entries by entry time, answers and abandons by their end", () => {
    expect(queueAt(figures, "t1", at(9, 0))).toEqual({
      queue: { kind: "team", id: "t1" },
      bucket: { startMs: at(9, 0), endMs: at(9, 15) },
      queued: 4,
      answered: 2,
      answeredWithinX: 2,
      abandoned: 2,
      shortAbandoned: 1,
      offersCreated: 4,
      offersAccepted: 2,
      offersRejected: 1,
      offersExpired: 1,
      offersWithdrawn: 0,
      transfersIn: 0,
      transfersOut: 0,
      serviceLevel: 2 / 3,
      abandonRate: 1 / 3,
      asaMs: 7_000,
      asaP50Ms: 4_000,
      asaP90Ms: 10_000,
      ahtMs: 10 * MIN - 5_000,
      offerAcceptRate: 0.5,
      csat: 5,
      csatTop2: 1,
      ewtAbsErrorMs: null,
      ewtP90Coverage: null,
    });
  });

  it("does not count an abandon at exactly the threshold as short, and counts a transfer out where the part ends", () => {
    expect(queueAt(figures, "t1", at(9, 15))).toMatchObject({
      queued: 1,
      answered: 0,
      abandoned: 1,
      shortAbandoned: 0,
      serviceLevel: 0,
      abandonRate: 1,
      asaMs: null,
      offersCreated: 1,
      offersAccepted: 0,
      offerAcceptRate: 0,
      transfersOut: 1,
      ahtMs: 10 * MIN - 10_000,
    });
  });

  it("counts the transfer into t2 as an entry, measures its wait from the transfer, and gives t2 the survey", () => {
    expect(queueAt(figures, "t2", at(9, 15))).toMatchObject({
      queued: 1,
      transfersIn: 1,
      answered: 1,
      answeredWithinX: 0,
      serviceLevel: 0,
      asaMs: 30_000,
      ahtMs: 9 * MIN + 30_000,
      offerAcceptRate: 1,
      csat: 3,
      csatTop2: 0,
    });
  });

  it("recomputes a range total from the facts rather than averaging intervals", () => {
    const [t1] = queueFigures(facts.sessions, rangeBucket(at(9, 0), at(10, 0)), settings).filter(
      (f) => f.queue.id === "t1",
    );
    expect(t1).toMatchObject({
      queued: 5,
      answered: 2,
      abandoned: 3,
      shortAbandoned: 1,
      serviceLevel: 0.5,
      abandonRate: 0.5,
    });
  });

  it("measures the estimate's error from the estimate to the answer", () => {
    const answeredLater = facts.sessions.map((s) =>
      s.sessionId === "s2"
        ? {
            ...s,
            estimates: s.estimates.map((e) => ({ ...e, answeredAtMs: at(9, 1, 45) })),
            entries: s.entries.map((e) => ({
              ...e,
              outcome: "answered" as const,
              endedAtMs: at(9, 1, 45),
              waitMs: 45_000,
            })),
          }
        : s,
    );
    expect(queueAt(queueFigures(answeredLater, intervals, settings), "t1", at(9, 0))).toMatchObject({
      ewtAbsErrorMs: 15_000,
      ewtP90Coverage: 1,
    });
  });
});

describe("queue figures of the hand-made morning by site and by problem type", () => {
  const rowOf = (figures: QueueFigures[], id: string, startMs: number) =>
    figures.find((f) => f.queue.id === id && f.bucket.startMs === startMs);

  it("sums every queue of the site over the range, recomputing ratios and times from the pooled facts", () => {
    expect(queueFigures(facts.sessions, rangeBucket(at(9, 0), at(10, 0)), settings, groupOf("site"))).toEqual([
      {
        queue: { kind: "site", id: "site-a" },
        bucket: { startMs: at(9, 0), endMs: at(10, 0) },
        queued: 6,
        answered: 3,
        answeredWithinX: 2,
        abandoned: 3,
        shortAbandoned: 1,
        offersCreated: 6,
        offersAccepted: 3,
        offersRejected: 1,
        offersExpired: 1,
        offersWithdrawn: 0,
        transfersIn: 1,
        transfersOut: 1,
        serviceLevel: 2 / 5,
        abandonRate: 2 / 5,
        asaMs: 44_000 / 3,
        asaP50Ms: 10_000,
        asaP90Ms: 30_000,
        ahtMs: 9 * MIN + 45_000,
        offerAcceptRate: 0.5,
        csat: 4,
        csatTop2: 0.5,
        ewtAbsErrorMs: null,
        ewtP90Coverage: null,
      },
    ]);
  });

  it("gives each problem type its sessions' counts across queues: s4 in t1 and t2 is printing, s5 network", () => {
    const figures = queueFigures(facts.sessions, intervals, settings, groupOf("problemType"));
    // 09:00's sessions are all printing and all in t1, so that row is t1's, checked by hand above.
    expect(rowOf(figures, "printing", at(9, 0))).toEqual({
      ...queueAt(queueFigures(facts.sessions, intervals, settings), "t1", at(9, 0)),
      queue: { kind: "problemType", id: "printing" },
    });
    expect(rowOf(figures, "printing", at(9, 15))).toMatchObject({
      queued: 1,
      transfersIn: 1,
      transfersOut: 1,
      answered: 1,
      answeredWithinX: 0,
      abandoned: 0,
      offersCreated: 1,
      offersAccepted: 1,
      serviceLevel: 0,
      abandonRate: 0,
      asaMs: 30_000,
      ahtMs: 9 * MIN + 40_000,
      csat: 3,
    });
    expect(rowOf(figures, "network", at(9, 15))).toMatchObject({
      queued: 1,
      abandoned: 1,
      shortAbandoned: 0,
      offersCreated: 1,
      offersAccepted: 0,
      serviceLevel: 0,
      abandonRate: 1,
      asaMs: null,
      ahtMs: null,
      csat: null,
    });
    expect(figures).toHaveLength(3);
  });

  it("keeps each entry's own queue threshold when queues are summed", () => {
    const t2Within30s = { ...settings, answerThresholdMs: (q: { id: string }) => (q.id === "t2" ? 30_000 : 20_000) };
    const figures = queueFigures(facts.sessions, intervals, t2Within30s, groupOf("problemType"));
    expect(rowOf(figures, "printing", at(9, 15))).toMatchObject({ answeredWithinX: 1, serviceLevel: 1 });
  });

  it("with a team, groups only that team's counts", () => {
    const figures = queueFigures(facts.sessions, intervals, settings, groupOf("problemType", "t1"));
    expect(rowOf(figures, "printing", at(9, 15))).toMatchObject({
      queued: 0,
      answered: 0,
      transfersOut: 1,
      ahtMs: 10 * MIN - 10_000,
    });
    expect(rowOf(figures, "network", at(9, 15))).toMatchObject({ queued: 1, abandoned: 1 });
  });
});

describe("rep figures of the hand-made morning", () => {
  const timelines = repTimelines(facts.stateChanges, facts.sessions, at(10, 0));
  const reps = repFigures(timelines.values(), intervals);
  const repAt = (repId: string, startMs: number) => reps.find((r) => r.repId === repId && r.bucket.startMs === startMs);

  it("splits state time at interval boundaries and counts engaged time whatever the state", () => {
    expect(repAt("r1", at(9, 0))).toMatchObject({
      stateMs: { REP_STATE_AVAILABLE: 15 * MIN },
      staffedMs: 15 * MIN,
      engagedMs: 10 * MIN - 5_000,
      availableIdleMs: 5 * MIN + 5_000,
      occupancy: (10 * MIN - 5_000) / (15 * MIN),
      loadMs: 10 * MIN - 5_000,
    });
    expect(repAt("r1", at(9, 15))).toMatchObject({ engagedMs: 0, availableIdleMs: 15 * MIN, occupancy: 0 });
  });

  it("counts away time as staffed but not as idle, so occupancy is null with neither", () => {
    expect(repAt("r1", at(9, 30))).toMatchObject({
      stateMs: { "REP_STATE_AWAY:lunch": 15 * MIN },
      staffedMs: 15 * MIN,
      availableIdleMs: 0,
      occupancy: null,
    });
  });

  it("measures routing fairness among the reps with the same teams and skills", () => {
    const fairness = fairnessFigures(facts.sessions, timelines, facts.profiles, reps, intervals);
    const t1At = (startMs: number) => fairness.find((f) => f.teamIds.join() === "t1" && f.bucket.startMs === startMs);
    expect(t1At(at(9, 0))).toMatchObject({
      repIds: ["r1", "r2"],
      skills: ["printers"],
      offersCv: 0,
      idleSpreadMs: 5 * MIN,
    });
    expect(t1At(at(9, 15))).toMatchObject({ offersCv: 1 });
    expect(fairness.find((f) => f.teamIds.join() === "t2" && f.bucket.startMs === at(9, 15))).toMatchObject({
      repIds: ["r3"],
      offersCv: 0,
    });
  });
});
