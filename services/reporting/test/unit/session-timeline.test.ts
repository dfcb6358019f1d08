import { describe, expect, it } from "vitest";
import { deriveSessionFacts } from "../../src/domain/session-timeline";
import { EventLogBuilder, team } from "../support/event-log-builder";
import { handmadeDay } from "../support/handmade-day";
import { sessionHistories } from "../support/session-histories";

const DAY = Date.UTC(2026, 10, 2);
const at = (h: number, m: number, s = 0) => DAY + ((h * 60 + m) * 60 + s) * 1_000;
const histories = sessionHistories("site-a", handmadeDay("site-a", DAY));
const factsOf = (sessionId: string) => deriveSessionFacts(histories.get(sessionId)!);

describe("session facts", () => {
  it("measures an answered entry's wait from the entry to the acceptance and opens the rep's part", () => {
    const facts = factsOf("s1");
    expect(facts.entries).toEqual([
      expect.objectContaining({
        entryNo: 1,
        queue: { kind: "team", id: "t1" },
        outcome: "answered",
        waitMs: 4_000,
        answeredByRepId: "r1",
      }),
    ]);
    expect(facts.parts).toEqual([
      expect.objectContaining({ repId: "r1", acceptedAtMs: at(9, 0, 5), endedAtMs: at(9, 10), endCause: "ended" }),
    ]);
    expect(facts.session).toMatchObject({
      createdAtMs: at(9, 0),
      queuedAtMs: at(9, 0, 1),
      answeredAtMs: at(9, 0, 5),
      endedAtMs: at(9, 10),
      endReason: "END_REASON_RESOLVED",
      offers: 1,
    });
    expect(facts.surveys).toEqual([expect.objectContaining({ satisfaction: 5, queue: { kind: "team", id: "t1" } })]);
  });

  it("keeps every offer's outcome by its fencing token and ends the entry with the abandon", () => {
    const facts = factsOf("s2");
    expect(facts.offers.map((o) => [o.epoch, o.repId, o.outcome])).toEqual([
      [1, "r2", "rejected"],
      [2, "r1", "expired"],
    ]);
    expect(facts.entries[0]).toMatchObject({
      outcome: "abandoned",
      waitMs: 9 * 60_000 + 30_000,
      abandonReason: "ABANDON_REASON_CUSTOMER_LEFT",
    });
    expect(facts.estimates).toEqual([expect.objectContaining({ entryNo: 1, known: true, answeredAtMs: null })]);
  });

  it("opens a new entry on a transfer, ends the first rep's part there, and reports the survey for the last queue", () => {
    const facts = factsOf("s4");
    expect(facts.entries.map((e) => [e.queue.id, e.cause, e.outcome, e.waitMs])).toEqual([
      ["t1", "queued", "answered", 10_000],
      ["t2", "transferred", "answered", 30_000],
    ]);
    expect(facts.parts.map((p) => [p.repId, p.entryNo, p.endCause])).toEqual([
      ["r2", 1, "transferred"],
      ["r3", 2, "ended"],
    ]);
    expect(facts.session.transfers).toBe(1);
    expect(facts.surveys[0]?.queue).toEqual({ kind: "team", id: "t2" });
  });

  it("gives an offer still ringing when the customer leaves the outcome 'abandoned' and no other", () => {
    const facts = factsOf("s5");
    expect(facts.offers).toEqual([expect.objectContaining({ outcome: "abandoned", endedAtMs: at(9, 20, 5) })]);
    expect(facts.entries[0]).toMatchObject({ outcome: "abandoned", waitMs: 5_000 });
  });

  it("ends the rep's part when the broker closed the session and the acd never said SessionEnded", () => {
    const history = histories.get("s1")!;
    const facts = deriveSessionFacts({ ...history, routing: history.routing.slice(0, 3) });
    expect(facts.parts).toEqual([
      expect.objectContaining({ repId: "r1", endedAtMs: at(9, 10, 1), endCause: "ended", acdHandleMs: null }),
    ]);
  });

  it("ignores a rebuilt SessionQueued and the restored acceptance of a session a rep already holds", () => {
    const history = histories.get("s1")!;
    const [queued, offered, accepted, ended] = history.routing;
    const restoredAt = at(9, 5);
    const rebuilt = {
      ...queued!,
      eventId: `site-a/${restoredAt}-0`,
      occurredAtMs: restoredAt,
      payload: {
        $case: "sessionQueued" as const,
        sessionQueued: {
          target: undefined,
          priority: 0,
          requiredSkills: [],
          enqueuedAtMs: at(9, 0, 1),
          problemTypeId: "",
          rebuilt: true,
        },
      },
    };
    const restoredAccept = { ...accepted!, eventId: `site-a/${restoredAt}-1`, occurredAtMs: restoredAt };
    const routing = [queued!, offered!, accepted!, rebuilt, restoredAccept, ended!];
    rebuilt.payload.sessionQueued.target = (
      queued!.payload as unknown as { sessionQueued: { target: never } }
    ).sessionQueued.target;
    const facts = deriveSessionFacts({ ...history, routing });
    expect(facts.entries).toEqual(factsOf("s1").entries);
    expect(facts.parts).toEqual(factsOf("s1").parts);
  });

  it("undoes an acceptance the broker never committed: the entry waits on, the next rep answers it", () => {
    const t1 = team("t1");
    const log = new EventLogBuilder("site-a")
      .created(at(10, 0), "s9", t1)
      .queued(at(10, 0), "s9", t1)
      .offered(at(10, 0, 1), "s9", 1, "r1", t1)
      .accepted(at(10, 0, 2), "s9", 1, "r1", 2_000)
      .routing(at(10, 0, 3), "s9", 2, {
        $case: "sessionTransferred",
        sessionTransferred: { fromRepId: "r1", target: t1, priority: 0, reason: "commit_failed" },
      })
      .offered(at(10, 0, 4), "s9", 3, "r2", t1)
      .accepted(at(10, 0, 6), "s9", 3, "r2", 6_000)
      .ended(at(10, 5), "s9", 3, "r2", 5 * 60_000);
    const facts = deriveSessionFacts(sessionHistories("site-a", log.events).get("s9")!);
    expect(facts.entries).toEqual([
      expect.objectContaining({
        entryNo: 1,
        cause: "queued",
        outcome: "answered",
        waitMs: 6_000,
        answeredByRepId: "r2",
      }),
    ]);
    expect(facts.offers.map((o) => [o.epoch, o.repId, o.outcome])).toEqual([
      [1, "r1", "requeued"],
      [3, "r2", "accepted"],
    ]);
    expect(facts.parts).toEqual([expect.objectContaining({ partNo: 1, repId: "r2", endCause: "ended" })]);
    expect(facts.session).toMatchObject({ answeredAtMs: at(10, 0, 6), transfers: 0 });
  });

  it("keeps a rep's requeue of a session he handled as a part that ended and a new entry", () => {
    const t1 = team("t1");
    const log = new EventLogBuilder("site-a")
      .created(at(10, 0), "s8", t1)
      .queued(at(10, 0), "s8", t1)
      .offered(at(10, 0, 1), "s8", 1, "r1", t1)
      .accepted(at(10, 0, 2), "s8", 1, "r1", 2_000)
      .routing(at(10, 1), "s8", 2, {
        $case: "sessionTransferred",
        sessionTransferred: { fromRepId: "r1", target: t1, priority: 0, reason: "rep_left" },
      });
    const facts = deriveSessionFacts(sessionHistories("site-a", log.events).get("s8")!);
    expect(facts.parts).toEqual([expect.objectContaining({ repId: "r1", endCause: "transferred" })]);
    expect(facts.entries.map((e) => [e.cause, e.outcome])).toEqual([
      ["queued", "answered"],
      ["transferred", null],
    ]);
  });

  describe("the broker's SessionAssigned (kept in PostgreSQL until relayed)", () => {
    const history = histories.get("s1")!;
    const [created, ...rest] = history.sessions;
    const assigned = {
      ...created!,
      eventId: "s1/assigned",
      occurredAtMs: at(9, 0, 5),
      payload: {
        $case: "sessionAssigned" as const,
        sessionAssigned: { repId: "r1", epoch: 1, waitedMs: 4_000 },
      },
    };
    const sessions = [created!, assigned, ...rest];

    it("changes nothing when the acd's OfferAccepted of that offer is there", () => {
      const facts = deriveSessionFacts({ ...history, sessions });
      expect(facts).toEqual(factsOf("s1"));
    });

    it("answers the entry when Redis lost the acd's OfferAccepted and SessionEnded before its relay sent them", () => {
      const facts = deriveSessionFacts({ ...history, routing: history.routing.slice(0, 2), sessions });
      expect(facts.entries).toEqual([
        expect.objectContaining({ outcome: "answered", waitMs: 4_000, answeredByRepId: "r1", acdWaitedMs: 4_000 }),
      ]);
      expect(facts.offers).toEqual([expect.objectContaining({ epoch: 1, outcome: "accepted" })]);
      expect(facts.parts).toEqual([
        expect.objectContaining({ repId: "r1", acceptedAtMs: at(9, 0, 5), endedAtMs: at(9, 10, 1), endCause: "ended" }),
      ]);
      expect(facts.session.answeredAtMs).toBe(at(9, 0, 5));
    });
  });
});
