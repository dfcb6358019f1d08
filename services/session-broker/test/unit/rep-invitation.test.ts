import { describe, expect, it } from "vitest";
import { NotAllowedError, RequestAlreadyAnsweredError, SessionStateConflictError } from "../../src/domain/errors";
import { answerInvitation, type RepInvitationValue } from "../../src/domain/rep-invitation";

const toRep: RepInvitationValue = {
  invitationId: "i1",
  invitee: { kind: "rep", id: "bob" },
  invitedBy: "alice",
  state: "pending",
};
const toTeam: RepInvitationValue = { ...toRep, invitee: { kind: "team", id: "t2" } };
const facts = { teamMemberIds: ["bob", "carol"], presentRepIds: ["alice"] };

describe("answering a rep invitation", () => {
  it("lets the named rep accept or decline, and nobody else", () => {
    expect(answerInvitation("s", toRep, "bob", true, facts)).toBe("accepted");
    expect(answerInvitation("s", toRep, "bob", false, facts)).toBe("declined");
    expect(() => answerInvitation("s", toRep, "carol", true, facts)).toThrow(NotAllowedError);
  });

  it("lets any member of the team accept, and keeps it open when one declines", () => {
    expect(answerInvitation("s", toTeam, "carol", true, facts)).toBe("accepted");
    expect(answerInvitation("s", toTeam, "bob", false, facts)).toBe("pending");
    expect(() => answerInvitation("s", toTeam, "dave", true, facts)).toThrow(NotAllowedError);
  });

  it("refuses an invitation that was answered or cancelled", () => {
    for (const state of ["accepted", "declined", "cancelled"] as const)
      expect(() => answerInvitation("s", { ...toTeam, state }, "bob", true, facts)).toThrow(
        RequestAlreadyAnsweredError,
      );
  });

  it("refuses to let a rep join who is in the session already", () => {
    expect(() => answerInvitation("s", toTeam, "bob", true, { ...facts, presentRepIds: ["alice", "bob"] })).toThrow(
      SessionStateConflictError,
    );
  });
});
