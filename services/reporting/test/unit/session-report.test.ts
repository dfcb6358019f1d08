import {
  AbandonReason,
  Actor,
  ClientMode,
  EndReason,
  Permission,
  RoutingStrategy,
  SessionState,
  StartMethod,
} from "@handoff/proto/common";
import { PermissionChange } from "@handoff/proto/events";
import { describe, expect, it } from "vitest";
import { buildSessionReport } from "../../src/domain/session-report";
import { sessionReportResponse } from "../../src/http/session-schemas";
import { EventLogBuilder, team } from "../support/event-log-builder";
import { sessionHistories } from "../support/session-histories";

const T0 = Date.UTC(2026, 10, 2, 10);
const at = (m: number, s = 0) => T0 + (m * 60 + s) * 1_000;
const ACTIVE = SessionState.SESSION_STATE_ACTIVE;

const decision = (trigger: string) => ({
  strategy: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE,
  candidatesConsidered: 2,
  winningScore: 120_000,
  tieBreak: "rep id",
  trigger,
});

/**
 * s7: created with a customer and consent; offered to alice (rejected), then bob (accepted); chat both
 * ways, control requested and granted, a note; bob transfers to t2, carol accepts and resolves it;
 * both surveys.
 */
function answeredAndTransferred(): EventLogBuilder {
  const log = new EventLogBuilder("site-a");
  const offer = (atMs: number, epoch: number, repId: string, trigger: string) =>
    log.routing(atMs, "s7", epoch, {
      $case: "offerCreated",
      offerCreated: {
        repId,
        expiresAtMs: atMs + 20_000,
        fromQueue: team(epoch < 3 ? "t1" : "t2"),
        decision: decision(trigger),
      },
    });
  log.session(at(0), "s7", SessionState.SESSION_STATE_CREATED, {
    $case: "sessionCreated",
    sessionCreated: {
      startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION,
      target: team("t1"),
      problemTypeId: "printing",
      customer: {
        name: "Ann",
        company: "Acme",
        email: "ann@example.com",
        description: "printer jams",
        locale: "en",
        companyCode: "",
        verifiedFields: ["email"],
      },
      credentialId: "",
      clientMode: ClientMode.CLIENT_MODE_CLICK_TO_CHAT,
    },
  });
  log.queued(at(0, 1), "s7", team("t1"));
  offer(at(0, 1), 1, "alice", "enqueue");
  log.session(at(0, 1), "s7", SessionState.SESSION_STATE_WAITING, {
    $case: "consentRecorded",
    consentRecorded: {
      agreementAccepted: true,
      agreementVersion: "v3",
      recordingAllowed: false,
      accessLinkAllowed: true,
    },
  });
  log.routing(at(0, 6), "s7", 1, { $case: "offerRejected", offerRejected: { repId: "alice" } });
  offer(at(0, 6), 2, "bob", "reject");
  log.accepted(at(0, 10), "s7", 2, "bob", 9_000);
  log
    .session(at(0, 10), "s7", ACTIVE, {
      $case: "participantJoined",
      participantJoined: { repId: "bob", primary: true },
    })
    .session(at(0, 20), "s7", ACTIVE, {
      $case: "chatMessageSent",
      chatMessageSent: { from: Actor.ACTOR_CUSTOMER, fromId: "", text: 'It says "PC LOAD LETTER", twice' },
    })
    .session(at(0, 25), "s7", ACTIVE, {
      $case: "chatMessageSent",
      chatMessageSent: { from: Actor.ACTOR_REP, fromId: "bob", text: "Let me look" },
    })
    .session(at(0, 30), "s7", ACTIVE, {
      $case: "permissionChanged",
      permissionChanged: {
        permission: Permission.PERMISSION_CONTROL,
        application: "",
        change: PermissionChange.PERMISSION_CHANGE_REQUESTED,
        actor: Actor.ACTOR_REP,
        actorId: "bob",
        requestId: "p1",
      },
    })
    .session(at(0, 35), "s7", ACTIVE, {
      $case: "permissionChanged",
      permissionChanged: {
        permission: Permission.PERMISSION_CONTROL,
        application: "",
        change: PermissionChange.PERMISSION_CHANGE_GRANTED,
        actor: Actor.ACTOR_CUSTOMER,
        actorId: "",
        requestId: "p1",
      },
    })
    .session(at(1), "s7", ACTIVE, { $case: "noteAdded", noteAdded: { repId: "bob", text: "driver outdated" } });
  log.routing(at(2), "s7", 3, {
    $case: "sessionTransferred",
    sessionTransferred: { fromRepId: "bob", target: team("t2"), priority: 2, reason: "" },
  });
  log.session(at(2), "s7", SessionState.SESSION_STATE_WAITING, {
    $case: "participantLeft",
    participantLeft: { repId: "bob", reason: "transferred" },
  });
  offer(at(2), 4, "carol", "transfer");
  log.accepted(at(2, 5), "s7", 4, "carol", 5_000);
  log.session(at(2, 5), "s7", ACTIVE, {
    $case: "participantJoined",
    participantJoined: { repId: "carol", primary: true },
  });
  log.ended(at(10), "s7", 4, "carol", 475_000);
  log
    .session(at(10), "s7", SessionState.SESSION_STATE_ENDED, {
      $case: "sessionClosed",
      sessionClosed: {
        finalState: SessionState.SESSION_STATE_ENDED,
        actor: Actor.ACTOR_REP,
        reason: EndReason.END_REASON_RESOLVED,
        actorId: "carol",
        abandonReason: 0,
      },
    })
    .session(at(10), "s7", SessionState.SESSION_STATE_ENDED, {
      $case: "participantLeft",
      participantLeft: { repId: "carol", reason: "ended" },
    })
    .session(at(11), "s7", SessionState.SESSION_STATE_ENDED, {
      $case: "surveySubmitted",
      surveySubmitted: { satisfaction: 4, comment: "good, thanks" },
    })
    .session(at(11), "s7", SessionState.SESSION_STATE_ENDED, {
      $case: "repSurveySubmitted",
      repSurveySubmitted: { repId: "carol", resolutionCode: "FIXED", comment: "" },
    });
  return log;
}

const reportOf = (log: EventLogBuilder, sessionId: string) =>
  buildSessionReport(sessionHistories(log.siteId, log.events).get(sessionId)!);

describe("session report", () => {
  const report = reportOf(answeredAndTransferred(), "s7");

  it("keeps the decision record the acd published with every offer, and how each offer ended", () => {
    expect(report.offers).toEqual([
      {
        epoch: 1,
        repId: "alice",
        fromQueue: { kind: "team", id: "t1" },
        offeredAtMs: at(0, 1),
        expiresAtMs: at(0, 21),
        outcome: "rejected",
        endedAtMs: at(0, 6),
        reason: null,
        decision: {
          strategy: "ROUTING_STRATEGY_LONGEST_IDLE",
          trigger: "enqueue",
          candidatesConsidered: 2,
          winningScore: 120_000,
          tieBreak: "rep id",
        },
      },
      expect.objectContaining({ epoch: 2, repId: "bob", outcome: "accepted" }),
      expect.objectContaining({ epoch: 4, repId: "carol", fromQueue: { kind: "team", id: "t2" }, outcome: "accepted" }),
    ]);
  });

  it("names what triggered each offer", () => {
    expect(report.offers.map((o) => o.decision.trigger)).toEqual(["enqueue", "reject", "transfer"]);
  });

  it("tells the transfer with who passed it on, to which queue, and who answered it there", () => {
    expect(report.transfers).toEqual([
      { atMs: at(2), fromRepId: "bob", to: { kind: "team", id: "t2" }, priority: 2, answeredByRepId: "carol" },
    ]);
    expect(report.handledParts.map((p) => [p.repId, p.endCause])).toEqual([
      ["bob", "transferred"],
      ["carol", "ended"],
    ]);
    expect(report.participants).toEqual([
      { repId: "bob", primary: true, joinedAtMs: at(0, 10), leftAtMs: at(2), leftReason: "transferred" },
      { repId: "carol", primary: true, joinedAtMs: at(2, 5), leftAtMs: at(10), leftReason: "ended" },
    ]);
  });

  it("records the customer, consent, permissions, notes, chat and both surveys as the broker published them", () => {
    expect(report.customer).toMatchObject({ name: "Ann", company: "Acme", verifiedFields: ["email"] });
    expect(report.summary).toMatchObject({
      startMethod: "START_METHOD_ISSUE_SUBMISSION",
      clientMode: "CLIENT_MODE_CLICK_TO_CHAT",
      endReason: "END_REASON_RESOLVED",
      transfers: 1,
      offers: 3,
    });
    expect(report.consent).toEqual([
      {
        atMs: at(0, 1),
        agreementAccepted: true,
        agreementVersion: "v3",
        recordingAllowed: false,
        accessLinkAllowed: true,
      },
    ]);
    expect(report.permissions.map((p) => [p.change, p.permission, p.actor, p.requestId])).toEqual([
      ["PERMISSION_CHANGE_REQUESTED", "PERMISSION_CONTROL", { kind: "rep", id: "bob" }, "p1"],
      ["PERMISSION_CHANGE_GRANTED", "PERMISSION_CONTROL", { kind: "customer", id: null }, "p1"],
    ]);
    expect(report.notes).toEqual([{ atMs: at(1), repId: "bob", text: "driver outdated" }]);
    expect(report.chat).toEqual([
      { atMs: at(0, 20), from: { kind: "customer", id: null }, text: 'It says "PC LOAD LETTER", twice' },
      { atMs: at(0, 25), from: { kind: "rep", id: "bob" }, text: "Let me look" },
    ]);
    expect(report.customerSurveys).toEqual([{ atMs: at(11), satisfaction: 4, comment: "good, thanks" }]);
    expect(report.repSurveys).toEqual([{ atMs: at(11), repId: "carol", resolutionCode: "FIXED", comment: "" }]);
  });

  it("lists every event once, each producer in its own order, the broker's first at the same time", () => {
    expect(report.timeline).toHaveLength(answeredAndTransferred().events.length);
    expect(report.timeline.slice(0, 5).map((i) => [i.source, i.type])).toEqual([
      ["broker", "SessionCreated"],
      ["broker", "ConsentRecorded"],
      ["acd", "SessionQueued"],
      ["acd", "OfferCreated"],
      ["acd", "OfferRejected"],
    ]);
    expect(report.timeline[4]).toMatchObject({ actor: { kind: "rep", id: "alice" }, details: { repId: "alice" } });
    const times = report.timeline.map((i) => i.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(report.timeline.find((i) => i.type === "SessionClosed")?.actor).toEqual({ kind: "rep", id: "carol" });
  });

  it("says an offer the customer's leaving ended was abandoned, with the acd's reason, and a ringing one pending", () => {
    const log = new EventLogBuilder("site-a")
      .queued(at(0), "s8", team("t1"))
      .offered(at(0), "s8", 1, "alice", team("t1"))
      .routing(at(0, 5), "s8", 2, {
        $case: "sessionAbandoned",
        sessionAbandoned: { reason: AbandonReason.ABANDON_REASON_CUSTOMER_LEFT, waitedMs: 5_000 },
      })
      .queued(at(1), "s9", team("t1"))
      .offered(at(1), "s9", 1, "bob", team("t1"));
    expect(reportOf(log, "s8").offers).toEqual([
      expect.objectContaining({ outcome: "abandoned", reason: "ABANDON_REASON_CUSTOMER_LEFT", endedAtMs: at(0, 5) }),
    ]);
    const ringing = reportOf(log, "s9");
    expect(ringing.offers).toEqual([expect.objectContaining({ repId: "bob", outcome: "pending", endedAtMs: null })]);
    expect(ringing.customer).toBeNull();
    expect(ringing.summary.clientMode).toBeNull();
  });

  it("reports a customer who kept his place and did not return with that reason, his absences on the timeline", () => {
    const log = new EventLogBuilder("site-a")
      .queued(at(0), "s10", team("t1"))
      .routing(at(0, 10), "s10", 0, { $case: "customerAwayChanged", customerAwayChanged: { away: true, version: 1 } })
      .offered(at(2), "s10", 1, "alice", team("t1"))
      .routing(at(3), "s10", 1, {
        $case: "sessionAbandoned",
        sessionAbandoned: { reason: AbandonReason.ABANDON_REASON_CUSTOMER_DID_NOT_RETURN, waitedMs: 180_000 },
      });
    const report = reportOf(log, "s10");
    expect(report.offers).toEqual([
      expect.objectContaining({ outcome: "abandoned", reason: "ABANDON_REASON_CUSTOMER_DID_NOT_RETURN" }),
    ]);
    expect(report.timeline.map((i) => i.type)).toContain("CustomerAwayChanged");
  });

  it("has exactly the shape the OpenAPI document gives the answer", () => {
    const answer = { ...report, truncated: false };
    expect(sessionReportResponse.parse(answer)).toEqual(answer);
  });
});
