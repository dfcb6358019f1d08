import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Actor, EndReason, Permission, SessionState } from "@handoff/proto/common";
import { PermissionChange } from "@handoff/proto/events";
import { asCustomer, asRep, asSupervisor, createRequest, SessionStack, teamConfig } from "@handoff/testing";
import { activeSession, casesOf, eventsOf, expectStatus, sessionOf } from "../support/active-session";

const { PERMISSION_VIEW: VIEW, PERMISSION_CONTROL: CONTROL, PERMISSION_FILE_TRANSFER: FILES } = Permission;

describe("the conversation in a session", () => {
  let stack: SessionStack;
  beforeAll(async () => {
    stack = await SessionStack.start();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  const newSite = async () => {
    const siteId = await stack.site([teamConfig("t1", { memberRepIds: ["alice", "bob"] })]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    return siteId;
  };

  it("relays chat between the customer and the reps in sequence order, readable from any sequence", async () => {
    const siteId = await newSite();
    const s = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    const first = await b.sendChatMessage({ ...s, requester: s.customer, text: "my printer is on fire" });
    const second = await b.sendChatMessage({ ...s, requester: asRep("alice"), text: "x".repeat(4_000) });
    await b.nudge({ ...s, requester: asRep("alice") });
    const third = await b.sendChatMessage({ ...s, requester: s.customer, text: "hello?" });
    expect(second.sequence).toBe(first.sequence + 1);
    expect(third.sequence).toBe(second.sequence + 2);

    const page = await b.listSessionEvents({
      ...s,
      requester: s.customer,
      afterSequence: first.sequence - 1,
      limit: 2,
    });
    expect(page.events.map((e) => [e.sequence, e.payload])).toEqual([
      [
        first.sequence,
        {
          $case: "chatMessageSent",
          chatMessageSent: { from: Actor.ACTOR_CUSTOMER, fromId: "", text: "my printer is on fire" },
        },
      ],
      [
        second.sequence,
        {
          $case: "chatMessageSent",
          chatMessageSent: { from: Actor.ACTOR_REP, fromId: "alice", text: "x".repeat(4_000) },
        },
      ],
    ]);
    const rest = await b.listSessionEvents({
      ...s,
      requester: asRep("alice"),
      afterSequence: second.sequence,
      limit: 0,
    });
    expect(rest.events.map((e) => e.payload)).toEqual([
      { $case: "nudged", nudged: { from: Actor.ACTOR_REP, fromId: "alice" } },
      { $case: "chatMessageSent", chatMessageSent: { from: Actor.ACTOR_CUSTOMER, fromId: "", text: "hello?" } },
    ]);
  });

  it("refuses chat from outsiders and outside an active session, and malformed text", async () => {
    const siteId = await newSite();
    const s = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    await expectStatus(b.sendChatMessage({ ...s, requester: asRep("bob"), text: "hi" }), status.PERMISSION_DENIED);
    await expectStatus(
      b.sendChatMessage({ ...s, requester: asCustomer("not-the-token"), text: "hi" }),
      status.PERMISSION_DENIED,
    );
    for (const text of ["", "   \n", "x".repeat(4_001), "bell\u0007"])
      await expectStatus(b.sendChatMessage({ ...s, requester: s.customer, text }), status.INVALID_ARGUMENT, "text");
    const waiting = await b.createSession(createRequest(siteId, { repId: "bob" }));
    await expectStatus(
      b.sendChatMessage({
        siteId,
        sessionId: waiting.session!.sessionId,
        requester: asCustomer(waiting.customerToken),
        text: "anyone?",
      }),
      status.FAILED_PRECONDITION,
    );
    await expectStatus(b.nudge({ ...s, requester: asRep("bob") }), status.PERMISSION_DENIED);
  });

  it("keeps rep notes from the customer, also after the end, and lets only reps write them", async () => {
    const siteId = await newSite();
    const s = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    const note = await b.addNote({ ...s, requester: asRep("alice"), text: "customer is a VIP" });
    await b.sendChatMessage({ ...s, requester: asRep("alice"), text: "how can I help?" });
    await expectStatus(b.addNote({ ...s, requester: s.customer, text: "me too" }), status.PERMISSION_DENIED);
    await expectStatus(b.addNote({ ...s, requester: asRep("bob"), text: "not mine" }), status.PERMISSION_DENIED);
    await b.closeSession({ ...s, requester: asRep("alice"), reason: EndReason.END_REASON_RESOLVED, abandonReason: 0 });
    const wrapUp = await b.addNote({ ...s, requester: asRep("alice"), text: "fixed the driver" });
    expect(wrapUp.sequence).toBeGreaterThan(note.sequence);

    const staff = await eventsOf(b, siteId, s.sessionId);
    expect(staff.filter((e) => e.payload?.$case === "noteAdded").map((e) => e.sequence)).toEqual([
      note.sequence,
      wrapUp.sequence,
    ]);
    const customer = await b.listSessionEvents({ ...s, requester: s.customer, afterSequence: 0, limit: 500 });
    expect(casesOf(customer.events)).not.toContain("noteAdded");
    expect(casesOf(customer.events)).toContain("chatMessageSent");
    expect(JSON.stringify(customer.events)).not.toContain("VIP");
  });

  it("lets a rep ask for permissions and only the customer grant, deny and revoke them, all in the history", async () => {
    const siteId = await newSite();
    const s = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    const { requestId: control } = await b.requestPermission({
      ...s,
      requester: asRep("alice"),
      permission: CONTROL,
      application: "excel.exe",
    });
    const again = await b.requestPermission({
      ...s,
      requester: asRep("alice"),
      permission: CONTROL,
      application: "excel.exe",
    });
    expect(again.requestId).toBe(control);
    const { requestId: files } = await b.requestPermission({
      ...s,
      requester: asRep("alice"),
      permission: FILES,
      application: "",
    });

    // Nobody answers for the customer, not even a supervisor or the rep.
    for (const requester of [asSupervisor("sam"), asRep("alice"), asCustomer("wrong")])
      await expectStatus(
        b.answerPermission({ ...s, requester, requestId: control, granted: true }),
        status.PERMISSION_DENIED,
      );
    const granted = await b.answerPermission({ ...s, requester: s.customer, requestId: control, granted: true });
    expect(granted.granted).toEqual([
      { permission: CONTROL, application: "excel.exe", grantedAtMs: expect.any(Number) as number },
    ]);
    await b.answerPermission({ ...s, requester: s.customer, requestId: files, granted: false });
    await expectStatus(
      b.answerPermission({ ...s, requester: s.customer, requestId: control, granted: false }),
      status.FAILED_PRECONDITION,
    );
    await expectStatus(
      b.requestPermission({ ...s, requester: asRep("alice"), permission: CONTROL, application: "excel.exe" }),
      status.FAILED_PRECONDITION,
    );
    expect((await sessionOf(b, siteId, s.sessionId)).granted).toEqual(granted.granted);

    const revoked = await b.revokePermission({
      ...s,
      requester: s.customer,
      permission: CONTROL,
      application: "excel.exe",
    });
    expect(revoked.granted).toEqual([]);
    await expectStatus(
      b.revokePermission({ ...s, requester: s.customer, permission: CONTROL, application: "excel.exe" }),
      status.FAILED_PRECONDITION,
    );
    await expectStatus(
      b.revokePermission({ ...s, requester: asRep("alice"), permission: VIEW, application: "" }),
      status.PERMISSION_DENIED,
    );
    expect((await sessionOf(b, siteId, s.sessionId)).granted).toEqual([]);

    const history = (await eventsOf(b, siteId, s.sessionId)).flatMap((e) =>
      e.payload?.$case === "permissionChanged" ? [e.payload.permissionChanged] : [],
    );
    expect(history.map((h) => [h.change, h.permission, h.actor, h.actorId, h.requestId])).toEqual([
      [PermissionChange.PERMISSION_CHANGE_REQUESTED, CONTROL, Actor.ACTOR_REP, "alice", control],
      [PermissionChange.PERMISSION_CHANGE_REQUESTED, FILES, Actor.ACTOR_REP, "alice", files],
      [PermissionChange.PERMISSION_CHANGE_GRANTED, CONTROL, Actor.ACTOR_CUSTOMER, "", control],
      [PermissionChange.PERMISSION_CHANGE_DENIED, FILES, Actor.ACTOR_CUSTOMER, "", files],
      [PermissionChange.PERMISSION_CHANGE_REVOKED, CONTROL, Actor.ACTOR_CUSTOMER, "", ""],
    ]);
  });

  it("ends grants and open requests when the reps leave by a transfer", async () => {
    const siteId = await newSite();
    const s = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    const { requestId: view } = await b.requestPermission({
      ...s,
      requester: asRep("alice"),
      permission: VIEW,
      application: "",
    });
    await b.answerPermission({ ...s, requester: s.customer, requestId: view, granted: true });
    const { requestId: open } = await b.requestPermission({
      ...s,
      requester: asRep("alice"),
      permission: FILES,
      application: "",
    });
    await b.transferActiveSession({
      ...s,
      requester: asRep("alice"),
      target: { target: { $case: "teamId", teamId: "t1" } },
    });
    expect((await sessionOf(b, siteId, s.sessionId)).granted).toEqual([]);
    const tail = (await eventsOf(b, siteId, s.sessionId)).slice(-4).map((e) => e.payload);
    expect(tail).toEqual([
      {
        $case: "permissionChanged",
        permissionChanged: expect.objectContaining({
          change: PermissionChange.PERMISSION_CHANGE_DENIED,
          actor: Actor.ACTOR_SYSTEM,
          requestId: open,
        }) as unknown,
      },
      {
        $case: "permissionChanged",
        permissionChanged: expect.objectContaining({
          change: PermissionChange.PERMISSION_CHANGE_REVOKED,
          actor: Actor.ACTOR_SYSTEM,
          permission: VIEW,
        }) as unknown,
      },
      { $case: "participantLeft", participantLeft: { repId: "alice", reason: "transferred" } },
      expect.objectContaining({ $case: "sessionWaiting" }) as unknown,
    ]);
    await expectStatus(
      b.answerPermission({ ...s, requester: s.customer, requestId: open, granted: true }),
      status.FAILED_PRECONDITION,
    );
  });

  it("ends grants and open requests when the session ends", async () => {
    const siteId = await newSite();
    const s = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    const { requestId: view } = await b.requestPermission({
      ...s,
      requester: asRep("alice"),
      permission: VIEW,
      application: "",
    });
    await b.answerPermission({ ...s, requester: s.customer, requestId: view, granted: true });
    await b.requestPermission({ ...s, requester: asRep("alice"), permission: FILES, application: "" });
    await b.closeSession({ ...s, requester: asRep("alice"), reason: 0, abandonReason: 0 });
    expect((await sessionOf(b, siteId, s.sessionId)).granted).toEqual([]);
    const changes = (await eventsOf(b, siteId, s.sessionId)).flatMap((e) =>
      e.payload?.$case === "permissionChanged" ? [e.payload.permissionChanged.change] : [],
    );
    expect(changes.slice(-2)).toEqual([
      PermissionChange.PERMISSION_CHANGE_DENIED,
      PermissionChange.PERMISSION_CHANGE_REVOKED,
    ]);
  });

  it("takes the customer's exit survey once after the end, never after a notice exit, and one survey per rep", async () => {
    const siteId = await newSite();
    const s = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    const survey = { ...s, requester: s.customer, satisfaction: 5, comment: "quick and kind" };
    await expectStatus(b.submitCustomerSurvey(survey), status.FAILED_PRECONDITION);
    for (const satisfaction of [0, 6, -1])
      await expectStatus(b.submitCustomerSurvey({ ...survey, satisfaction }), status.INVALID_ARGUMENT, "satisfaction");
    await expectStatus(
      b.submitCustomerSurvey({ ...survey, comment: "x".repeat(4_001) }),
      status.INVALID_ARGUMENT,
      "comment",
    );
    await b.closeSession({ ...s, requester: asRep("alice"), reason: EndReason.END_REASON_RESOLVED, abandonReason: 0 });
    await expectStatus(b.submitCustomerSurvey({ ...survey, requester: asRep("alice") }), status.PERMISSION_DENIED);
    await b.submitCustomerSurvey(survey);
    await expectStatus(b.submitCustomerSurvey(survey), status.FAILED_PRECONDITION);

    const rep = { ...s, requester: asRep("alice"), resolutionCode: "driver-reinstalled", comment: "" };
    await expectStatus(b.submitRepSurvey({ ...rep, resolutionCode: "" }), status.INVALID_ARGUMENT, "resolution_code");
    await expectStatus(b.submitRepSurvey({ ...rep, requester: asRep("bob") }), status.PERMISSION_DENIED);
    await b.submitRepSurvey(rep);
    await expectStatus(b.submitRepSurvey(rep), status.FAILED_PRECONDITION);
    const events = await eventsOf(b, siteId, s.sessionId);
    expect(events.slice(-2).map((e) => [e.payload, e.state])).toEqual([
      [
        { $case: "surveySubmitted", surveySubmitted: { satisfaction: 5, comment: "quick and kind" } },
        SessionState.SESSION_STATE_ENDED,
      ],
      [
        {
          $case: "repSurveySubmitted",
          repSurveySubmitted: { repId: "alice", resolutionCode: "driver-reinstalled", comment: "" },
        },
        SessionState.SESSION_STATE_ENDED,
      ],
    ]);
    const customerView = await b.listSessionEvents({ ...s, requester: s.customer, afterSequence: 0, limit: 0 });
    expect(casesOf(customerView.events)).not.toContain("repSurveySubmitted");

    const notice = await activeSession(stack.broker, siteId, "alice");
    await b.closeSession({
      ...notice,
      requester: notice.customer,
      reason: EndReason.END_REASON_NOTICE_EXIT,
      abandonReason: 0,
    });
    await expectStatus(
      b.submitCustomerSurvey({ ...notice, requester: notice.customer, satisfaction: 1, comment: "" }),
      status.FAILED_PRECONDITION,
    );
  });

  it("reports the timeline, consent, grants and each offer's decision record in one call", async () => {
    const siteId = await newSite();
    const s = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    await b.sendChatMessage({ ...s, requester: s.customer, text: "hi" });
    await b.addNote({ ...s, requester: asRep("alice"), text: "note" });
    const { requestId } = await b.requestPermission({
      ...s,
      requester: asRep("alice"),
      permission: VIEW,
      application: "",
    });
    await b.answerPermission({ ...s, requester: s.customer, requestId, granted: true });
    const { report } = await b.getSessionReport({ siteId, sessionId: s.sessionId });
    expect(report?.session).toMatchObject({
      state: SessionState.SESSION_STATE_ACTIVE,
      repId: "alice",
      consent: { agreementAccepted: true, agreementVersion: "2026-01" },
      granted: [{ permission: VIEW, application: "" }],
      participants: [{ repId: "alice", primary: true }],
    });
    expect(report?.timeline.map((e) => e.sequence)).toEqual(report?.timeline.map((_, i) => i + 1));
    expect(report?.timeline.length).toBe(report?.session?.lastSequence);
    expect(casesOf(report!.timeline)).toEqual(
      expect.arrayContaining(["sessionCreated", "consentRecorded", "sessionAssigned", "chatMessageSent", "noteAdded"]),
    );
    expect(report?.offers).toEqual([
      expect.objectContaining({ repId: "alice", epoch: expect.any(Number) as number, outcome: "accepted" }),
    ]);
    expect(report?.offers[0]?.decision?.trigger).not.toBe("");
    await expectStatus(b.getSessionReport({ siteId, sessionId: "" }), status.INVALID_ARGUMENT, "session_id");
    await expectStatus(b.getSessionReport({ siteId, sessionId: "unknown" }), status.NOT_FOUND);
  });

  it("names the field of every malformed request and leaves the session untouched", async () => {
    const siteId = await newSite();
    const s = await activeSession(stack.broker, siteId, "alice");
    const b = stack.broker;
    const before = await sessionOf(b, siteId, s.sessionId);
    const rep = { ...s, requester: asRep("alice") };
    const cases: [() => Promise<unknown>, string][] = [
      [
        () => b.requestPermission({ ...rep, permission: Permission.PERMISSION_UNSPECIFIED, application: "" }),
        "permission",
      ],
      [() => b.requestPermission({ ...rep, permission: 42 as Permission, application: "" }), "permission"],
      [() => b.requestPermission({ ...rep, permission: FILES, application: "excel.exe" }), "application"],
      [() => b.requestPermission({ ...rep, permission: VIEW, application: "a".repeat(201) }), "application"],
      [() => b.answerPermission({ ...s, requester: s.customer, requestId: "", granted: true }), "request_id"],
      [() => b.answerPermission({ ...s, requester: s.customer, requestId: "nope", granted: true }), "request_id"],
      [() => b.revokePermission({ ...s, requester: s.customer, permission: 0, application: "" }), "permission"],
      [() => b.sendChatMessage({ ...s, siteId: "", requester: s.customer, text: "hi" }), "site_id"],
      [() => b.nudge({ ...s, sessionId: "", requester: s.customer }), "session_id"],
      [() => b.nudge({ ...s, requester: undefined }), "requester.actor"],
      [() => b.addNote({ ...rep, text: "" }), "text"],
      [() => b.submitRepSurvey({ ...rep, resolutionCode: "x".repeat(101), comment: "" }), "resolution_code"],
      [() => b.listSessionEvents({ ...rep, afterSequence: -1, limit: 0 }), "after_sequence"],
      [() => b.listSessionEvents({ ...rep, afterSequence: 0, limit: 501 }), "limit"],
      [() => b.listSessionEvents({ ...rep, afterSequence: 0, limit: -5 }), "limit"],
    ];
    for (const [call, field] of cases) await expectStatus(call(), status.INVALID_ARGUMENT, field);
    expect(await sessionOf(b, siteId, s.sessionId)).toEqual(before);
  });
});
