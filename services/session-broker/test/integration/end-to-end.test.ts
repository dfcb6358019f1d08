import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOPICS } from "@handoff/proto";
import { Actor, EndReason, Permission, RepState, SessionState, StartMethod } from "@handoff/proto/common";
import { PermissionChange, SessionEvent } from "@handoff/proto/events";
import { createKafka, createLogger, decodeEventHeaders } from "@handoff/runtime";
import {
  asCustomer,
  asRep,
  createRequest,
  eventually,
  infrastructureEnv,
  SessionStack,
  teamConfig,
} from "@handoff/testing";
import pg from "pg";
import { casesOf, eventsOf, offeredTo, sessionOf } from "../support/active-session";

const { SESSION_STATE_WAITING: WAITING, SESSION_STATE_OFFERED: OFFERED, SESSION_STATE_ACTIVE: ACTIVE } = SessionState;
const { SESSION_STATE_CREATED: CREATED, SESSION_STATE_ENDED: ENDED } = SessionState;

/** What Kafka holds about one session: its SessionEvents, in partition order, with their header ids. */
async function sessionEventsInKafka(
  sessionId: string,
  expected: number,
): Promise<{ headerId: string; event: SessionEvent }[]> {
  const kafka = createKafka({
    clientId: `e2e-${randomUUID().slice(0, 8)}`,
    brokers: infrastructureEnv().KAFKA_BROKERS.split(","),
    logger: createLogger("e2e-reader", "fatal"),
  });
  const consumer = kafka.consumer({ groupId: `e2e-${randomUUID()}`, maxWaitTimeInMs: 200 });
  const read: { headerId: string; event: SessionEvent }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [TOPICS.sessions], fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        if (message.key?.toString() === sessionId && message.value)
          read.push({
            headerId: decodeEventHeaders(message.headers).eventId,
            event: SessionEvent.decode(message.value),
          });
        return Promise.resolve();
      },
    });
    // Consumers dedupe by event id: a relay that crashed between send and mark may send a row twice.
    await eventually(
      () => new Set(read.map((r) => r.event.eventId)).size >= expected,
      60_000,
      `${expected} events in Kafka`,
    );
    return read;
  } finally {
    await consumer.disconnect();
  }
}

describe("a support session from the customer's request to his survey", () => {
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

  it("is told the same way, in the same order, by PostgreSQL and by handoff.sessions.v1", async () => {
    const siteId = await stack.site([
      teamConfig("t1", { memberRepIds: ["alice"] }),
      teamConfig("t2", { memberRepIds: ["bob"] }),
    ]);
    const b = stack.broker;
    await stack.repOnline(siteId, "alice", ["t1"]);
    await stack.repOnline(siteId, "bob", ["t2"]);
    // Alice is logged in but away: the session waits in her queue until she is available.
    await stack.presence.setState({
      siteId,
      repId: "alice",
      state: RepState.REP_STATE_AWAY,
      reasonCode: "lunch",
      actor: Actor.ACTOR_REP,
      actorId: "alice",
    });

    // create → waiting
    const created = await b.createSession(
      createRequest(siteId, { startMethod: StartMethod.START_METHOD_REP_LIST, repId: "alice" }),
    );
    const sessionId = created.session!.sessionId;
    const customer = asCustomer(created.customerToken);
    const s = { siteId, sessionId };
    expect(created.session?.state).toBe(WAITING);
    expect(created.position).toMatchObject({ position: 1 });

    // → offered → accepted by alice
    await stack.presence.setState({
      siteId,
      repId: "alice",
      state: RepState.REP_STATE_AVAILABLE,
      reasonCode: "",
      actor: Actor.ACTOR_REP,
      actorId: "alice",
    });
    const aliceEpoch = await offeredTo(b, siteId, sessionId, "alice");
    expect((await b.acceptSessionOffer({ ...s, repId: "alice", epoch: aliceEpoch })).session?.state).toBe(ACTIVE);

    // → chat
    await b.sendChatMessage({ ...s, requester: customer, text: "My screen is frozen." });
    await b.sendChatMessage({ ...s, requester: asRep("alice"), text: "May I look at your desktop?" });

    // → permission granted, then revoked
    const { requestId } = await b.requestPermission({
      ...s,
      requester: asRep("alice"),
      permission: Permission.PERMISSION_CONTROL,
      application: "",
    });
    const granted = await b.answerPermission({ ...s, requester: customer, requestId, granted: true });
    expect(granted.granted.map((g) => g.permission)).toEqual([Permission.PERMISSION_CONTROL]);
    const revoked = await b.revokePermission({
      ...s,
      requester: customer,
      permission: Permission.PERMISSION_CONTROL,
      application: "",
    });
    expect(revoked.granted).toEqual([]);

    // → transferred to team t2 → accepted by bob
    await b.transferActiveSession({
      ...s,
      requester: asRep("alice"),
      target: { target: { $case: "teamId", teamId: "t2" } },
    });
    const bobEpoch = await offeredTo(b, siteId, sessionId, "bob");
    expect(bobEpoch).toBeGreaterThan(aliceEpoch);
    await b.acceptSessionOffer({ ...s, repId: "bob", epoch: bobEpoch });

    // → ended → survey
    await b.sendChatMessage({ ...s, requester: asRep("bob"), text: "Fixed: the driver was stale." });
    const closed = await b.closeSession({
      ...s,
      requester: asRep("bob"),
      reason: EndReason.END_REASON_RESOLVED,
      abandonReason: 0,
    });
    expect(closed.session).toMatchObject({ state: ENDED, endReason: EndReason.END_REASON_RESOLVED });
    await b.submitCustomerSurvey({ ...s, requester: customer, satisfaction: 5, comment: "Great help" });

    // The story in PostgreSQL.
    const history = await eventsOf(b, siteId, sessionId);
    expect(history.map((e) => e.sequence)).toEqual(history.map((_, i) => i + 1));
    expect(history.map((e) => [e.payload?.$case, e.state])).toEqual([
      ["sessionCreated", CREATED],
      ["consentRecorded", CREATED],
      ["sessionWaiting", WAITING],
      ["sessionOffered", OFFERED],
      ["sessionAssigned", ACTIVE],
      ["participantJoined", ACTIVE],
      ["chatMessageSent", ACTIVE],
      ["chatMessageSent", ACTIVE],
      ["permissionChanged", ACTIVE],
      ["permissionChanged", ACTIVE],
      ["permissionChanged", ACTIVE],
      ["participantLeft", WAITING],
      ["sessionWaiting", WAITING],
      ["sessionOffered", OFFERED],
      ["sessionAssigned", ACTIVE],
      ["participantJoined", ACTIVE],
      ["chatMessageSent", ACTIVE],
      ["participantLeft", ENDED],
      ["sessionClosed", ENDED],
      ["surveySubmitted", ENDED],
    ]);
    const payloads = history.map((e) => e.payload);
    expect(payloads.flatMap((p) => (p?.$case === "permissionChanged" ? [p.permissionChanged.change] : []))).toEqual([
      PermissionChange.PERMISSION_CHANGE_REQUESTED,
      PermissionChange.PERMISSION_CHANGE_GRANTED,
      PermissionChange.PERMISSION_CHANGE_REVOKED,
    ]);
    expect(payloads[12]).toMatchObject({ sessionWaiting: { reason: "transferred", fromRepId: "alice" } });
    expect(payloads.flatMap((p) => (p?.$case === "sessionAssigned" ? [p.sessionAssigned.repId] : []))).toEqual([
      "alice",
      "bob",
    ]);
    const rows = await db.query<{ sequence: string; event_id: string; type: string }>(
      "select sequence, event_id, type from session_events where site_id = $1 and session_id = $2 order by sequence",
      [siteId, sessionId],
    );
    expect(rows.rows.map((r) => [Number(r.sequence), r.event_id, r.type])).toEqual(
      history.map((e) => [e.sequence, e.eventId, e.payload?.$case]),
    );
    expect((await sessionOf(b, siteId, sessionId)).lastSequence).toBe(history.length);

    // The same story on Kafka: same event ids and sequences, in the same order (after dedupe by id).
    const published = await sessionEventsInKafka(sessionId, history.length);
    const seen = new Set<string>();
    const deduped = published.filter((p) => !seen.has(p.event.eventId) && seen.add(p.event.eventId));
    expect(published.every((p) => p.headerId === p.event.eventId)).toBe(true);
    expect(deduped.map((p) => [p.event.sequence, p.event.eventId])).toEqual(
      history.map((e) => [e.sequence, e.eventId]),
    );
    expect(deduped.map((p) => p.event)).toEqual(history);
    expect(casesOf(deduped.map((p) => p.event)).at(-1)).toBe("surveySubmitted");
  }, 180_000);
});
