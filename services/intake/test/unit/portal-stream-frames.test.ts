import { AbandonReason, Actor, EndReason, Permission, SessionState } from "@handoff/proto/common";
import { PermissionChange, SessionEvent } from "@handoff/proto/events";
import { describe, expect, it } from "vitest";
import { frameOfEvent, repNamesOf } from "../../src/portal/stream-frames";
import { estimatedWaitText, waitingMessage } from "../../src/portal/waiting-message";

const event = (payload: SessionEvent["payload"], state = SessionState.SESSION_STATE_ACTIVE) =>
  SessionEvent.fromPartial({ sequence: 7, occurredAtMs: Date.parse("2026-11-27T10:00:00Z"), state, payload });

describe("the customer's stream frames", () => {
  it("carries the session's sequence as the frame id, and chat says who wrote it", () => {
    expect(
      frameOfEvent(
        event({ $case: "chatMessageSent", chatMessageSent: { from: Actor.ACTOR_REP, fromId: "alice", text: "Hi" } }),
      ),
    ).toEqual({
      id: 7,
      event: "chat",
      data: { from: "rep", repId: "alice", text: "Hi", at: "2026-11-27T10:00:00.000Z" },
    });
    expect(
      frameOfEvent(
        event({ $case: "chatMessageSent", chatMessageSent: { from: Actor.ACTOR_CUSTOMER, fromId: "", text: "Yo" } }),
      )?.data,
    ).toEqual({ from: "customer", text: "Yo", at: "2026-11-27T10:00:00.000Z" });
  });

  it("names the rep by the portal config's display name, else by his id (a closed portal lists no reps)", () => {
    const names = repNamesOf([{ repId: "alice", displayName: "Alice Adams" }]);
    const assigned = (repId: string) =>
      frameOfEvent(event({ $case: "sessionAssigned", sessionAssigned: { repId, epoch: 3, waitedMs: 1200 } }), names);
    expect(assigned("alice")).toEqual({
      id: 7,
      event: "accepted",
      data: { repId: "alice", displayName: "Alice Adams", waitedMs: 1200 },
    });
    expect(assigned("bob")?.data).toMatchObject({ repId: "bob", displayName: "bob" });
    expect(
      frameOfEvent(
        event({ $case: "participantLeft", participantLeft: { repId: "alice", reason: "transferred" } }),
        names,
      )?.data,
    ).toEqual({ repId: "alice", displayName: "Alice Adams", joined: false, reason: "transferred" });
  });

  it("tells the customer of his file-send requests and their answers", () => {
    expect(
      frameOfEvent(
        event({
          $case: "fileSendRequested",
          fileSendRequested: { requestId: "f-1", fileName: "a.log", sizeBytes: 42 },
        }),
      ),
    ).toEqual({
      id: 7,
      event: "file",
      data: { requestId: "f-1", fileName: "a.log", sizeBytes: 42, change: "requested" },
    });
    expect(
      frameOfEvent(
        event({
          $case: "fileSendAnswered",
          fileSendAnswered: { requestId: "f-1", allowed: false, actor: Actor.ACTOR_REP, actorId: "alice" },
        }),
      )?.data,
    ).toEqual({ requestId: "f-1", change: "denied" });
  });

  it("names permissions and their changes as the API does", () => {
    const frame = frameOfEvent(
      event({
        $case: "permissionChanged",
        permissionChanged: {
          permission: Permission.PERMISSION_CONTROL,
          application: "Excel",
          change: PermissionChange.PERMISSION_CHANGE_REVOKED,
          actor: Actor.ACTOR_CUSTOMER,
          actorId: "",
          requestId: "r-1",
        },
      }),
    );
    expect(frame?.data).toEqual({ requestId: "r-1", permission: "control", application: "Excel", change: "revoked" });
  });

  it("asks for the exit survey only after an answered session not left from a notice", () => {
    const closed = (
      finalState: SessionState,
      reason: EndReason,
      abandonReason = AbandonReason.ABANDON_REASON_UNSPECIFIED,
    ) =>
      frameOfEvent(
        event({
          $case: "sessionClosed",
          sessionClosed: { finalState, actor: Actor.ACTOR_CUSTOMER, reason, actorId: "", abandonReason },
        }),
      )?.data;
    expect(closed(SessionState.SESSION_STATE_ENDED, EndReason.END_REASON_RESOLVED)).toEqual({
      reason: "resolved",
      abandonReason: null,
      survey: true,
    });
    expect(closed(SessionState.SESSION_STATE_ENDED, EndReason.END_REASON_NOTICE_EXIT)).toMatchObject({ survey: false });
    expect(
      closed(
        SessionState.SESSION_STATE_ABANDONED,
        EndReason.END_REASON_ABANDONED,
        AbandonReason.ABANDON_REASON_CUSTOMER_LEFT,
      ),
    ).toEqual({ reason: "abandoned", abandonReason: "customer_left", survey: false });
  });

  it("gives nothing for what the customer need not see", () => {
    expect(frameOfEvent(event({ $case: "noteAdded", noteAdded: { repId: "alice", text: "secret" } }))).toBeUndefined();
    expect(frameOfEvent(event(undefined))).toBeUndefined();
  });
});

describe("waiting messages", () => {
  const position = (p: number, estimate = { p50Ms: 90_000, p90Ms: 300_000, known: true }) => ({
    position: p,
    queueLength: 9,
    estimate,
  });

  it("fills in the position and the estimate in words", () => {
    expect(waitingMessage("You are number {{position}}; about {{ estimatedWait }}.", position(3))).toBe(
      "You are number 3; about 2–5 minutes.",
    );
  });

  it("says so when nobody knows the wait, and never says zero minutes", () => {
    expect(estimatedWaitText({ p50Ms: 0, p90Ms: 0, known: false })).toBe("not known yet");
    expect(estimatedWaitText({ p50Ms: 1_000, p90Ms: 20_000, known: true })).toBe("about 1 minute");
  });
});
