import { EndReason, Permission } from "@handoff/proto/common";
import {
  asCustomer,
  asRep,
  createRequest,
  eventually,
  offeredEpoch,
  teamConfig,
  teamTarget,
  type SessionStack,
} from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SessionReport } from "../../src/domain/session-report";
import { startReportedStack, type ReportedStack } from "../support/reported-stack";
import type { SupervisorServer } from "../support/supervisor-server";

describe("session report of a session played by the real services", () => {
  let reported: ReportedStack;
  let stack: SessionStack;
  let api: SupervisorServer;

  beforeAll(async () => {
    reported = await startReportedStack("reporting-session-report");
    ({ stack, api } = reported);
  }, 180_000);

  afterAll(async () => {
    await reported?.stop();
  });

  it("tells the chat, the note, the permission, the transfer, the offers' decisions and both surveys, to this site only", async () => {
    const siteId = await stack.site([
      teamConfig("t1", { memberRepIds: ["alice"] }),
      teamConfig("t2", { memberRepIds: ["bob"] }),
    ]);
    const b = stack.broker;
    await stack.repOnline(siteId, "alice", ["t1"]);
    await stack.repOnline(siteId, "bob", ["t2"]);

    const created = await b.createSession(createRequest(siteId, { repId: "alice" }));
    const customer = asCustomer(created.customerToken);
    const s = { siteId, sessionId: created.session!.sessionId };
    await b.acceptSessionOffer({ ...s, repId: "alice", epoch: await offeredEpoch(b, siteId, s.sessionId, "alice") });
    const question = 'It says "PC LOAD LETTER", twice';
    await b.sendChatMessage({ ...s, requester: customer, text: question });
    await b.sendChatMessage({ ...s, requester: asRep("alice"), text: "Let me look" });
    const { requestId } = await b.requestPermission({
      ...s,
      requester: asRep("alice"),
      permission: Permission.PERMISSION_CONTROL,
      application: "",
    });
    await b.answerPermission({ ...s, requester: customer, requestId, granted: true });
    await b.addNote({ ...s, requester: asRep("alice"), text: "driver outdated; needs a printer expert" });
    await b.transferActiveSession({ ...s, requester: asRep("alice"), target: teamTarget("t2") });
    await b.acceptSessionOffer({ ...s, repId: "bob", epoch: await offeredEpoch(b, siteId, s.sessionId, "bob") });
    await b.closeSession({ ...s, requester: asRep("bob"), reason: EndReason.END_REASON_RESOLVED, abandonReason: 0 });
    await b.submitCustomerSurvey({ ...s, requester: customer, satisfaction: 5, comment: "fixed, thanks" });
    await b.submitRepSurvey({ ...s, requester: asRep("bob"), resolutionCode: "FIXED", comment: "new driver" });

    const token = await api.issuer.token(siteId, "sue", ["supervisor"]);
    const reportUrl = `${api.base}/v1/supervisor/sessions/${s.sessionId}/report`;
    const read = async () => {
      const response = await fetch(reportUrl, { headers: { authorization: `Bearer ${token}` } });
      return response.status === 200 ? ((await response.json()) as SessionReport) : undefined;
    };
    // Both topics are ingested: the broker's last event and the acd's end of bob's part.
    const report = await eventually(
      async () => {
        const r = await read();
        return r?.repSurveys.length === 1 && r.handledParts.at(-1)?.endCause === "ended" ? r : undefined;
      },
      60_000,
      "the session's report",
    );

    expect(report.summary).toMatchObject({
      startMethod: "START_METHOD_REP_LIST",
      endReason: "END_REASON_RESOLVED",
      transfers: 1,
      offers: 2,
    });
    expect(report.customer).toMatchObject({ name: "Carl Customer", company: "Acme" });
    expect(report.consent).toEqual([expect.objectContaining({ agreementVersion: "2026-01", recordingAllowed: false })]);
    expect(report.offers).toEqual([
      expect.objectContaining({ repId: "alice", fromQueue: { kind: "rep", id: "alice" }, outcome: "accepted" }),
      expect.objectContaining({ repId: "bob", fromQueue: { kind: "team", id: "t2" }, outcome: "accepted" }),
    ]);
    for (const offer of report.offers) {
      expect(offer.decision.strategy).toMatch(/^ROUTING_STRATEGY_/);
      expect(offer.decision.trigger).not.toBe("");
    }
    expect(report.transfers).toEqual([
      expect.objectContaining({ fromRepId: "alice", to: { kind: "team", id: "t2" }, answeredByRepId: "bob" }),
    ]);
    expect(report.handledParts.map((p) => [p.repId, p.endCause])).toEqual([
      ["alice", "transferred"],
      ["bob", "ended"],
    ]);
    expect(report.participants.map((p) => p.repId)).toEqual(expect.arrayContaining(["alice", "bob"]));
    expect(report.chat).toEqual([
      expect.objectContaining({ from: { kind: "customer", id: null }, text: question }),
      expect.objectContaining({ from: { kind: "rep", id: "alice" }, text: "Let me look" }),
    ]);
    expect(report.permissions.map((p) => [p.change, p.permission, p.actor.kind, p.requestId])).toEqual([
      ["PERMISSION_CHANGE_REQUESTED", "PERMISSION_CONTROL", "rep", requestId],
      ["PERMISSION_CHANGE_GRANTED", "PERMISSION_CONTROL", "customer", requestId],
      // The broker takes alice's grant back when she passes the session on.
      ["PERMISSION_CHANGE_REVOKED", "PERMISSION_CONTROL", "system", ""],
    ]);
    expect(report.notes).toEqual([
      expect.objectContaining({ repId: "alice", text: "driver outdated; needs a printer expert" }),
    ]);
    expect(report.customerSurveys).toEqual([expect.objectContaining({ satisfaction: 5, comment: "fixed, thanks" })]);
    expect(report.repSurveys).toEqual([expect.objectContaining({ repId: "bob", resolutionCode: "FIXED" })]);
    // Every event once, in time order, from both producers.
    const times = report.timeline.map((i) => i.atMs);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    const types = report.timeline.map((i) => i.type);
    for (const type of ["SessionCreated", "SessionQueued", "OfferCreated", "SessionTransferred", "NoteAdded"])
      expect(types).toContain(type);
    expect(new Set(report.timeline.map((i) => `${i.source}/${i.eventId}`)).size).toBe(report.timeline.length);

    const other = await api.issuer.token(`${siteId}-other`, "sue", ["supervisor"]);
    const foreign = await fetch(reportUrl, { headers: { authorization: `Bearer ${other}` } });
    expect(foreign.status).toBe(404);
  }, 150_000);
});
