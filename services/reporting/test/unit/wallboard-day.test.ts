import { describe, expect, it } from "vitest";
import { localMidnight, wallboardDay } from "../../src/domain/wallboard-day";
import type { QueueFactsOfSession } from "../../src/domain/queue-figures";
import type { QueueEntryRow } from "../../src/domain/session-facts";

const MIN = 60_000;
/** 2026-11-02 00:00 in Berlin (UTC+1) is 2026-11-01 23:00 UTC. */
const MIDNIGHT = Date.UTC(2026, 10, 1, 23);

function entry(queueId: string, enteredMin: number, end: { atMin: number; outcome: "answered" | "abandoned" } | null) {
  const row: QueueEntryRow = {
    entryNo: 1,
    queue: { kind: "team", id: queueId },
    cause: "queued",
    enteredAtMs: MIDNIGHT + enteredMin * MIN,
    waitStartedAtMs: MIDNIGHT + enteredMin * MIN,
    priority: 0,
    outcome: end?.outcome ?? null,
    endedAtMs: end ? MIDNIGHT + end.atMin * MIN : null,
    waitMs: end ? (end.atMin - enteredMin) * MIN : null,
    answeredByRepId: end?.outcome === "answered" ? "r1" : null,
    abandonReason: null,
    acdWaitedMs: null,
  };
  return row;
}

const session = (row: QueueEntryRow): QueueFactsOfSession => ({
  siteId: "site-a",
  session: { problemTypeId: null },
  entries: [row],
  offers: [],
  parts: [],
  estimates: [],
  surveys: [],
});

describe("wallboard day", () => {
  it("starts at local midnight of the site's zone", () => {
    expect(localMidnight("Europe/Berlin", MIDNIGHT + 10 * 60 * MIN)).toBe(MIDNIGHT);
    expect(localMidnight("UTC", MIDNIGHT + 10 * 60 * MIN)).toBe(Date.UTC(2026, 10, 2));
  });

  it("gives each team's service level since midnight and, per interval so far, the site's service level and who waited at its end", () => {
    const now = MIDNIGHT + 40 * MIN;
    const sessions = [
      // t1: answered after 10 s (within 20 s), answered after 2 min (not within), abandoned after 1 min.
      session(entry("t1", 1, { atMin: 1 + 10 / 60, outcome: "answered" })),
      session(entry("t1", 5, { atMin: 7, outcome: "answered" })),
      session(entry("t1", 14, { atMin: 15 + 0.5, outcome: "abandoned" })),
      // t2: waiting since minute 20, still waiting now.
      session(entry("t2", 20, null)),
    ];
    const day = wallboardDay(sessions, "Europe/Berlin", now, {
      answerThresholdMs: () => 20_000,
      shortAbandonMs: 5_000,
    });
    expect(day.fromMs).toBe(MIDNIGHT);
    expect(day.teams).toEqual([
      { teamId: "t1", queued: 3, answered: 2, abandoned: 1, serviceLevel: 1 / 3 },
      { teamId: "t2", queued: 1, answered: 0, abandoned: 0, serviceLevel: null },
    ]);
    expect(day.points).toEqual([
      { startMs: MIDNIGHT, endMs: MIDNIGHT + 15 * MIN, waiting: 1, serviceLevel: 0.5 },
      { startMs: MIDNIGHT + 15 * MIN, endMs: MIDNIGHT + 30 * MIN, waiting: 1, serviceLevel: 0 },
      { startMs: MIDNIGHT + 30 * MIN, endMs: MIDNIGHT + 45 * MIN, waiting: 1, serviceLevel: null },
    ]);
  });
});
