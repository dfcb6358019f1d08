import { OfferCreated, RoutingEvent, SessionQueued } from "@handoff/proto/events";
import { createLogger } from "@handoff/runtime";
import { describe, expect, it } from "vitest";
import { queueChangeOf, sessionQueuesAfter, type QueueKey } from "../../src/portal/queue-changes";
import { QueueWatch } from "../../src/portal/queue-watch";
import type { QueueChange } from "../../src/portal/queue-changes";

const team = (teamId: string) => ({ target: { $case: "teamId" as const, teamId } });
const event = (payload: RoutingEvent["payload"], sessionId = "s1") =>
  RoutingEvent.fromPartial({ siteId: "site", sessionId, payload });
const unknown = () => undefined;

describe("the queues a routing event changes", () => {
  it("names the queue a session joins, and the queue an offer took it from", () => {
    expect(
      queueChangeOf(
        event({ $case: "sessionQueued", sessionQueued: SessionQueued.fromPartial({ target: team("support") }) }),
        unknown,
      ),
    ).toEqual({
      siteId: "site",
      queues: ["team:support"],
    });
    expect(
      queueChangeOf(
        event({
          $case: "offerCreated",
          offerCreated: OfferCreated.fromPartial({ repId: "alice", fromQueue: team("support") }),
        }),
        unknown,
      ),
    ).toEqual({
      siteId: "site",
      queues: ["team:support"],
    });
  });

  it("changes the queues a session sat in when it leaves or comes back without naming them, and the whole site when they are unknown", () => {
    const known = (): readonly QueueKey[] => ["team:support", "team:billing"];
    const abandoned = event({ $case: "sessionAbandoned", sessionAbandoned: { reason: 0, waitedMs: 5 } });
    expect(queueChangeOf(abandoned, known)).toEqual({ siteId: "site", queues: ["team:support", "team:billing"] });
    expect(queueChangeOf(abandoned, unknown)).toEqual({ siteId: "site", queues: "site" });
    const rejected = event({ $case: "offerRejected", offerRejected: { repId: "alice" } });
    expect(queueChangeOf(rejected, known)).toEqual({ siteId: "site", queues: ["team:support", "team:billing"] });
  });

  it("changes a rep's teams and personal queue when his capacity changes, and nothing for an accept or a recorded estimate", () => {
    const capacity = event({
      $case: "repCapacityChanged",
      repCapacityChanged: { repId: "alice", routableCapacity: 1, version: 2, teamIds: ["support"], connected: true },
    });
    expect(queueChangeOf(capacity, unknown)).toEqual({ siteId: "site", queues: ["rep:alice", "team:support"] });
    expect(
      queueChangeOf(event({ $case: "offerAccepted", offerAccepted: { repId: "alice", waitedMs: 1 } }), unknown),
    ).toBeUndefined();
    expect(queueChangeOf(event({ $case: "waitEstimated", waitEstimated: { position: 1 } }), unknown)).toBeUndefined();
  });

  it("follows a session's queues through queueing, overflow and its end", () => {
    const queued = sessionQueuesAfter(
      event({ $case: "sessionQueued", sessionQueued: SessionQueued.fromPartial({ target: team("support") }) }),
      undefined,
    );
    expect(queued).toEqual(["team:support"]);
    const overflowed = event({
      $case: "sessionOverflowed",
      sessionOverflowed: { addedTeamIds: ["billing"], priority: 1, step: 1 },
    });
    expect(sessionQueuesAfter(overflowed, queued)).toEqual(["team:support", "team:billing"]);
    expect(
      sessionQueuesAfter(event({ $case: "sessionEnded", sessionEnded: { repId: "alice", handleMs: 9 } }), queued),
    ).toEqual([]);
    expect(
      sessionQueuesAfter(
        event({ $case: "offerCreated", offerCreated: OfferCreated.fromPartial({ repId: "alice" }) }),
        queued,
      ),
    ).toBeUndefined();
  });

  it("remembers, in the watch, where a session waits so its abandon changes only that queue", () => {
    const changes: QueueChange[] = [];
    const watch = new QueueWatch((change) => changes.push(change), createLogger("test", "silent"));
    watch.apply(
      event({ $case: "sessionQueued", sessionQueued: SessionQueued.fromPartial({ target: team("support") }) }, "s9"),
    );
    watch.apply(event({ $case: "sessionAbandoned", sessionAbandoned: { reason: 0, waitedMs: 5 } }, "s9"));
    watch.apply(event({ $case: "sessionAbandoned", sessionAbandoned: { reason: 0, waitedMs: 5 } }, "s9"));
    expect(changes).toEqual([
      { siteId: "site", queues: ["team:support"] },
      { siteId: "site", queues: ["team:support"] },
      // Forgotten once it left routing: a repeat changes the whole site.
      { siteId: "site", queues: "site" },
    ]);
  });
});
