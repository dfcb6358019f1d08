import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Actor, RepState, SessionState, StartMethod } from "@handoff/proto/common";
import { asRep, asSupervisor, createRequest, SessionStack, teamConfig } from "@handoff/testing";
import pg from "pg";
import { activeSession, casesOf, eventsOf, expectStatus, offeredTo, sessionOf } from "../support/active-session";

describe("the reps of a session", () => {
  let stack: SessionStack;
  let db: pg.Pool;
  beforeAll(async () => {
    stack = await SessionStack.start();
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  const team = (id: string, members: string[]) => teamConfig(id, { memberRepIds: members });

  it("lets the primary invite a named rep who joins, hand him control and leave; the acd load follows control", async () => {
    const siteId = await stack.site([team("t1", ["alice", "bob", "carol"])]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    await stack.repOnline(siteId, "bob", ["t1"]);
    const { sessionId } = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;

    const { invitationId } = await b.inviteRep({
      siteId,
      sessionId,
      requester: asRep("alice"),
      invitee: { target: { $case: "repId", repId: "bob" } },
    });
    // Only bob may answer his invitation.
    await expectStatus(
      b.answerRepInvitation({ siteId, sessionId, invitationId, requester: asRep("carol"), accepted: true }),
      status.PERMISSION_DENIED,
    );
    const joined = await b.answerRepInvitation({
      siteId,
      sessionId,
      invitationId,
      requester: asRep("bob"),
      accepted: true,
    });
    expect(joined.session?.participants.map((p) => [p.repId, p.primary])).toEqual([
      ["alice", true],
      ["bob", false],
    ]);
    await expectStatus(
      b.answerRepInvitation({ siteId, sessionId, invitationId, requester: asRep("bob"), accepted: true }),
      status.FAILED_PRECONDITION,
    );

    // Bob is not the primary: he may not hand over control.
    await expectStatus(
      b.handOverControl({ siteId, sessionId, requester: asRep("bob"), toRepId: "bob" }),
      status.PERMISSION_DENIED,
    );
    const handed = await b.handOverControl({ siteId, sessionId, requester: asRep("alice"), toRepId: "bob" });
    expect(handed.session).toMatchObject({ repId: "bob", state: SessionState.SESSION_STATE_ACTIVE });
    expect(handed.session?.participants.find((p) => p.primary)?.repId).toBe("bob");

    // Alice, no longer primary, just leaves.
    const left = await b.leaveSession({ siteId, sessionId, requester: asRep("alice") });
    expect(left.session?.participants.map((p) => p.repId)).toEqual(["bob"]);
    expect(left.session?.state).toBe(SessionState.SESSION_STATE_ACTIVE);

    // The acd counts the session against the rep who has control (issue 11: it used to stay alice's
    // until the end, so she could take nothing new and bob could be offered beyond his capacity).
    const loads = async () =>
      Promise.all(["alice", "bob"].map(async (repId) => (await stack.acd.getRepRouting({ siteId, repId })).load));
    expect(await loads()).toEqual([0, 1]);
    // Both have capacity 1: a customer asking for bob waits; one asking for alice is offered to her.
    const forBob = await b.createSession(createRequest(siteId, { repId: "bob" }));
    const forAlice = await b.createSession(createRequest(siteId, { repId: "alice" }));
    await offeredTo(b, siteId, forAlice.session!.sessionId, "alice");
    expect((await stack.acd.getSessionRouting({ siteId, sessionId: forBob.session!.sessionId })).state).toBe(
      SessionState.SESSION_STATE_WAITING,
    );
    expect(await loads()).toEqual([1, 1]);
    // Bob's end names him (the rep the acd holds it for): his unit is free and the waiting customer is his.
    await b.closeSession({ siteId, sessionId, requester: asRep("bob"), reason: 0, abandonReason: 0 });
    await offeredTo(b, siteId, forBob.session!.sessionId, "bob");

    const events = await eventsOf(b, siteId, sessionId);
    expect(casesOf(events).slice(-7, -2)).toEqual([
      "repInvited",
      "repInvitationAnswered",
      "participantJoined",
      "controlHandedOver",
      "participantLeft",
    ]);
    expect(events.at(-4)?.payload).toEqual({
      $case: "controlHandedOver",
      controlHandedOver: { fromRepId: "alice", toRepId: "bob" },
    });
    expect(events.at(-3)?.payload).toEqual({
      $case: "participantLeft",
      participantLeft: { repId: "alice", reason: "left" },
    });
  });

  it("gives control to the rep present longest when the primary leaves", async () => {
    const siteId = await stack.site([team("t1", ["alice", "bob", "carol"])]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const { sessionId } = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    for (const repId of ["bob", "carol"]) {
      const { invitationId } = await b.inviteRep({
        siteId,
        sessionId,
        requester: asRep("alice"),
        invitee: { target: { $case: "repId", repId } },
      });
      await b.answerRepInvitation({ siteId, sessionId, invitationId, requester: asRep(repId), accepted: true });
    }
    const left = await b.leaveSession({ siteId, sessionId, requester: asRep("alice") });
    expect(left.session?.repId).toBe("bob");
    // The acd moved the load with control.
    const acdLoads = await Promise.all(
      ["alice", "bob"].map(async (repId) => (await stack.acd.getRepRouting({ siteId, repId })).load),
    );
    expect(acdLoads).toEqual([0, 1]);
    expect(left.session?.participants.map((p) => [p.repId, p.primary])).toEqual([
      ["bob", true],
      ["carol", false],
    ]);
    expect((await eventsOf(b, siteId, sessionId)).at(-1)?.payload).toEqual({
      $case: "controlHandedOver",
      controlHandedOver: { fromRepId: "alice", toRepId: "bob" },
    });
  });

  it("lets the first member of an invited team join, keeps the invitation open after a decline, and refuses outsiders", async () => {
    const siteId = await stack.site([team("t1", ["alice"]), team("t2", ["bob", "carol"])]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const { sessionId } = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    await expectStatus(
      b.inviteRep({
        siteId,
        sessionId,
        requester: asRep("alice"),
        invitee: { target: { $case: "teamId", teamId: "nope" } },
      }),
      status.INVALID_ARGUMENT,
      "invitee.team_id",
    );
    const { invitationId } = await b.inviteRep({
      siteId,
      sessionId,
      requester: asRep("alice"),
      invitee: { target: { $case: "teamId", teamId: "t2" } },
    });
    await expectStatus(
      b.answerRepInvitation({ siteId, sessionId, invitationId, requester: asRep("dave"), accepted: true }),
      status.PERMISSION_DENIED,
    );
    await b.answerRepInvitation({ siteId, sessionId, invitationId, requester: asRep("bob"), accepted: false });
    const joined = await b.answerRepInvitation({
      siteId,
      sessionId,
      invitationId,
      requester: asRep("carol"),
      accepted: true,
    });
    expect(joined.session?.participants.map((p) => p.repId)).toEqual(["alice", "carol"]);
    await expectStatus(
      b.answerRepInvitation({ siteId, sessionId, invitationId, requester: asRep("bob"), accepted: true }),
      status.FAILED_PRECONDITION,
    );
    const row = await db.query<{ state: string; answered_by: string }>(
      "select state, answered_by from rep_invitations where site_id = $1 and invitation_id = $2",
      [siteId, invitationId],
    );
    expect(row.rows).toEqual([{ state: "accepted", answered_by: "carol" }]);
  });

  it("transfers to a team through the acd: every rep leaves, the session waits and another rep accepts it", async () => {
    const siteId = await stack.site([team("t1", ["alice", "carol"]), team("t2", ["bob"])]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const { sessionId } = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    const { invitationId } = await b.inviteRep({
      siteId,
      sessionId,
      requester: asRep("alice"),
      invitee: { target: { $case: "repId", repId: "carol" } },
    });
    await b.answerRepInvitation({ siteId, sessionId, invitationId, requester: asRep("carol"), accepted: true });
    await expectStatus(
      b.transferActiveSession({
        siteId,
        sessionId,
        requester: asRep("carol"),
        target: { target: { $case: "teamId", teamId: "t2" } },
      }),
      status.PERMISSION_DENIED,
    );
    const before = await sessionOf(b, siteId, sessionId);

    await b.transferActiveSession({
      siteId,
      sessionId,
      requester: asRep("alice"),
      target: { target: { $case: "teamId", teamId: "t2" } },
    });
    const waiting = await sessionOf(b, siteId, sessionId);
    expect(waiting).toMatchObject({
      repId: "",
      participants: [],
      target: { target: { $case: "teamId", teamId: "t2" } },
    });
    expect([SessionState.SESSION_STATE_WAITING, SessionState.SESSION_STATE_OFFERED]).toContain(waiting.state);
    const events = await eventsOf(b, siteId, sessionId);
    const transfer = events.slice(before.lastSequence);
    expect(casesOf(transfer).slice(0, 3)).toEqual(["participantLeft", "participantLeft", "sessionWaiting"]);
    expect(transfer.slice(0, 2).map((e) => e.payload)).toEqual([
      { $case: "participantLeft", participantLeft: { repId: "alice", reason: "transferred" } },
      { $case: "participantLeft", participantLeft: { repId: "carol", reason: "transferred" } },
    ]);
    expect(transfer[2]?.payload).toMatchObject({
      $case: "sessionWaiting",
      sessionWaiting: { reason: "transferred", fromRepId: "alice", target: { target: { teamId: "t2" } } },
    });
    expect(events.map((e) => e.sequence)).toEqual(events.map((_, i) => i + 1));

    await stack.repOnline(siteId, "bob", ["t2"]);
    const epoch = await offeredTo(b, siteId, sessionId, "bob");
    const accepted = await b.acceptSessionOffer({ siteId, sessionId, repId: "bob", epoch });
    expect(accepted.session).toMatchObject({ state: SessionState.SESSION_STATE_ACTIVE, repId: "bob" });
    expect(accepted.session?.participants.map((p) => p.repId)).toEqual(["bob"]);
    const routing = await stack.acd.getSessionRouting({ siteId, sessionId });
    expect(routing).toMatchObject({ state: SessionState.SESSION_STATE_ACTIVE, repId: "bob", epoch });
  });

  it("refuses transfers of sessions that are not active, to reps already in them, and by the customer", async () => {
    const siteId = await stack.site([team("t1", ["alice"]), team("t2", ["bob"])]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const active = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    const toT2 = { target: { $case: "teamId" as const, teamId: "t2" } };
    await expectStatus(
      b.transferActiveSession({
        ...active,
        requester: asRep("alice"),
        target: { target: { $case: "repId", repId: "alice" } },
      }),
      status.INVALID_ARGUMENT,
      "target.rep_id",
    );
    await expectStatus(
      b.transferActiveSession({ ...active, requester: active.customer, target: toT2 }),
      status.PERMISSION_DENIED,
    );
    await expectStatus(
      b.transferActiveSession({
        ...active,
        requester: asRep("alice"),
        target: { target: { $case: "teamId", teamId: "zz" } },
      }),
      status.INVALID_ARGUMENT,
      "target.team_id",
    );
    expect((await sessionOf(b, siteId, active.sessionId)).state).toBe(SessionState.SESSION_STATE_ACTIVE);

    const waiting = await b.createSession(createRequest(siteId, { repId: "bob" }));
    await expectStatus(
      b.transferActiveSession({
        siteId,
        sessionId: waiting.session!.sessionId,
        requester: asSupervisor("sam"),
        target: toT2,
      }),
      status.FAILED_PRECONDITION,
    );
  });

  it("puts the session back in its queue at its original place when the last rep leaves", async () => {
    const siteId = await stack.site([team("t1", ["alice"])]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const first = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    // A later session waits behind it; alice steps away so neither is offered at once.
    const second = await b.createSession(
      createRequest(siteId, { startMethod: StartMethod.START_METHOD_REP_LIST, repId: "alice" }),
    );
    await stack.presence.setState({
      siteId,
      repId: "alice",
      state: RepState.REP_STATE_AWAY,
      reasonCode: "",
      actor: Actor.ACTOR_REP,
      actorId: "alice",
    });
    const enqueuedAtMs = (await sessionOf(b, siteId, first.sessionId)).enqueuedAtMs;

    const left = await b.leaveSession({ siteId, sessionId: first.sessionId, requester: asRep("alice") });
    expect(left.session).toMatchObject({ state: SessionState.SESSION_STATE_WAITING, repId: "", participants: [] });
    expect(left.session?.enqueuedAtMs).toBe(enqueuedAtMs);
    const [leftEvent, waitingEvent] = (await eventsOf(b, siteId, first.sessionId)).slice(-2).map((e) => e.payload);
    expect(leftEvent).toEqual({ $case: "participantLeft", participantLeft: { repId: "alice", reason: "left" } });
    expect(waitingEvent).toMatchObject({
      $case: "sessionWaiting",
      sessionWaiting: { reason: "rep_left", fromRepId: "alice", enqueuedAtMs },
    });
    const [p1, p2] = await Promise.all(
      [first.sessionId, second.session!.sessionId].map((sessionId) =>
        b.getSession({ siteId, sessionId, requester: asSupervisor("sam") }),
      ),
    );
    expect(p1?.position).toMatchObject({ position: 1, queueLength: 2 });
    expect(p2?.position).toMatchObject({ position: 2, queueLength: 2 });
    expect(await stack.acd.getSessionRouting({ siteId, sessionId: first.sessionId })).toMatchObject({
      state: SessionState.SESSION_STATE_WAITING,
    });
  });

  it("names the field of every malformed request and leaves the session untouched", async () => {
    const siteId = await stack.site([team("t1", ["alice"])]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const { sessionId } = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    const before = await sessionOf(b, siteId, sessionId);
    const base = { siteId, sessionId, requester: asRep("alice") };
    const toT1 = { target: { $case: "teamId" as const, teamId: "t1" } };
    const cases: [() => Promise<unknown>, string][] = [
      [() => b.transferActiveSession({ ...base, siteId: "", target: toT1 }), "site_id"],
      [() => b.transferActiveSession({ ...base, sessionId: "no spaces", target: toT1 }), "session_id"],
      [() => b.transferActiveSession({ ...base, requester: undefined, target: toT1 }), "requester.actor"],
      [() => b.transferActiveSession({ ...base, target: undefined }), "target"],
      [() => b.transferActiveSession({ ...base, target: { target: { $case: "repId", repId: "" } } }), "target.rep_id"],
      [() => b.inviteRep({ ...base, invitee: undefined }), "invitee"],
      [
        () => b.inviteRep({ ...base, invitee: { target: { $case: "teamId", teamId: "x".repeat(500) } } }),
        "invitee.team_id",
      ],
      [() => b.inviteRep({ ...base, invitee: { target: { $case: "repId", repId: "stranger" } } }), "invitee.rep_id"],
      [() => b.answerRepInvitation({ ...base, invitationId: "", accepted: true }), "invitation_id"],
      [() => b.answerRepInvitation({ ...base, invitationId: "unknown", accepted: true }), "invitation_id"],
      [
        () =>
          b.answerRepInvitation({
            ...base,
            requester: { actor: 2, id: "", customerToken: "" },
            invitationId: "i",
            accepted: true,
          }),
        "requester.id",
      ],
      [() => b.handOverControl({ ...base, toRepId: "" }), "to_rep_id"],
      [() => b.handOverControl({ ...base, toRepId: "nobody" }), "to_rep_id"],
      [
        () => b.leaveSession({ ...base, requester: { actor: 4, id: "", customerToken: "" } }),
        "requester.customer_token",
      ],
      [
        () => b.leaveSession({ ...base, requester: { actor: 99 as Actor, id: "alice", customerToken: "" } }),
        "requester.actor",
      ],
    ];
    for (const [call, field] of cases) await expectStatus(call(), status.INVALID_ARGUMENT, field);
    expect(await sessionOf(b, siteId, sessionId)).toEqual(before);
  });
});
