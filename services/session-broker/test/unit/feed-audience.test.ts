import { describe, expect, it } from "vitest";
import type { SessionEvent } from "@handoff/proto/events";
import { endsFeed, hiddenFrom } from "../../src/domain/feed-audience";

const left = (sequence: number, repId: string): SessionEvent => ({
  eventId: "e",
  occurredAtMs: 1,
  siteId: "s",
  sessionId: "x",
  sequence,
  state: 0,
  payload: { $case: "participantLeft", participantLeft: { repId, reason: "transferred" } },
});

describe("a feed's audience", () => {
  it("hides notes from the customer only", () => {
    expect(hiddenFrom({ kind: "customer" })).toContain("noteAdded");
    expect(hiddenFrom({ kind: "staff" })).toEqual([]);
    expect(hiddenFrom({ kind: "rep", repId: "alice", checkedAtSequence: 3 })).toEqual([]);
  });

  it("ends a rep's feed after his own leaving, not after an earlier one he came back from", () => {
    const alice = { kind: "rep" as const, repId: "alice", checkedAtSequence: 10 };
    expect(endsFeed(alice, left(11, "alice"))).toBe(true);
    expect(endsFeed(alice, left(11, "bob"))).toBe(false);
    expect(endsFeed(alice, left(7, "alice"))).toBe(false);
  });

  it("never ends the customer's or a supervisor's feed", () => {
    expect(endsFeed({ kind: "customer" }, left(11, "alice"))).toBe(false);
    expect(endsFeed({ kind: "staff" }, left(11, "alice"))).toBe(false);
  });
});
