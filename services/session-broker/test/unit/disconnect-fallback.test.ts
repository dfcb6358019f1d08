import { describe, expect, it } from "vitest";
import type { DisconnectFallbackName } from "../../src/domain/broker-settings";
import { disconnectOutcome, graceUntilMs, type PresentRep } from "../../src/domain/disconnect-fallback";

const team = { kind: "team", id: "support" } as const;
const rep = (repId: string, primary = false, disconnectedAtMs: number | null = null): PresentRep => ({
  repId,
  primary,
  disconnectedAtMs,
});
const rule = (disconnectFallback: DisconnectFallbackName, teamId = "") => ({
  disconnectFallback,
  disconnectFallbackTeamId: teamId,
});

describe("a disconnected rep's fallback", () => {
  it("counts the grace period from the moment his last connection dropped", () => {
    expect(graceUntilMs(1_000, { disconnectGraceMs: 30_000 })).toBe(31_000);
  });

  it("keeps the session waiting in his personal queue for wait_for_rep", () => {
    expect(disconnectOutcome(rule("wait_for_rep"), { target: team }, "alice", [rep("alice", true, 5)])).toEqual({
      rule: "wait_for_rep",
      target: { kind: "rep", id: "alice" },
    });
  });

  it("puts the session back into the queue it was answered from for requeue", () => {
    expect(disconnectOutcome(rule("requeue"), { target: team }, "alice", [rep("alice", true, 5)])).toEqual({
      rule: "requeue",
      target: team,
    });
  });

  it("sends the session to the named team for team", () => {
    expect(disconnectOutcome(rule("team", "tier2"), { target: team }, "alice", [rep("alice", true, 5)])).toEqual({
      rule: "team",
      target: { kind: "team", id: "tier2" },
    });
  });

  it("ends the session for end", () => {
    expect(disconnectOutcome(rule("end"), { target: team }, "alice", [rep("alice", true, 5)])).toEqual({
      rule: "end",
    });
  });

  it("lets him just leave when other reps remain, whatever the rule", () => {
    for (const name of ["wait_for_rep", "requeue", "team", "end"] as const)
      expect(
        disconnectOutcome(rule(name, "tier2"), { target: team }, "bob", [rep("alice", true), rep("bob", false, 5)]),
      ).toEqual({ rule: "hand_over", toRepId: undefined });
  });

  it("passes control to the longest-present rep who is still connected when the primary goes", () => {
    const present = [rep("alice", true, 5), rep("bob", false, 7), rep("carol")];
    expect(disconnectOutcome(rule("end"), { target: team }, "alice", present)).toEqual({
      rule: "hand_over",
      toRepId: "carol",
    });
  });

  it("passes control to the longest-present rep when every other rep is disconnected too", () => {
    const present = [rep("alice", true, 5), rep("bob", false, 7), rep("carol", false, 9)];
    expect(disconnectOutcome(rule("end"), { target: team }, "alice", present)).toEqual({
      rule: "hand_over",
      toRepId: "bob",
    });
  });
});
