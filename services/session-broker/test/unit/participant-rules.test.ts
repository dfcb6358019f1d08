import { describe, expect, it } from "vitest";
import { NotAllowedError, UnknownReferenceError } from "../../src/domain/errors";
import { handOverTarget, leaveOutcome, type PresentRep } from "../../src/domain/participant-rules";

const rep = (repId: string, joinedAtMs: number, primary = false): PresentRep => ({ repId, primary, joinedAtMs });

describe("a rep leaving", () => {
  it("puts the session back in its queue when he is the last rep", () => {
    expect(leaveOutcome([rep("alice", 1, true)], "alice")).toEqual({ kind: "last" });
  });

  it("just leaves when he is not the primary", () => {
    expect(leaveOutcome([rep("alice", 1, true), rep("bob", 2)], "bob")).toEqual({ kind: "left" });
  });

  it("hands control to the rep present longest when he is the primary", () => {
    const present = [rep("alice", 5, true), rep("carol", 30), rep("bob", 20), rep("dave", 20)];
    expect(leaveOutcome(present, "alice")).toEqual({ kind: "handed_over", toRepId: "bob" });
  });

  it("is refused for a rep who is not present", () => {
    expect(() => leaveOutcome([rep("alice", 1, true)], "bob")).toThrow(NotAllowedError);
  });
});

describe("handing over control", () => {
  it("goes to a present rep", () => {
    expect(handOverTarget([rep("alice", 1, true), rep("bob", 2)], "bob")).toEqual(rep("bob", 2));
  });

  it("changes nothing when the rep has control already", () => {
    expect(handOverTarget([rep("alice", 1, true)], "alice")).toBeUndefined();
  });

  it("names to_rep_id when the rep is not in the session", () => {
    expect(() => handOverTarget([rep("alice", 1, true)], "zed")).toThrow(UnknownReferenceError);
    expect(() => handOverTarget([], "zed")).toThrow(expect.objectContaining({ field: "to_rep_id" }));
  });
});
