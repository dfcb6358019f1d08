import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EndReason } from "@handoff/proto/common";
import type { WatchSessionRequest } from "@handoff/proto/session_broker_service";
import {
  asCustomer,
  asRep,
  asSupervisor,
  connectSessionBroker,
  eventually,
  type SessionBroker,
  SessionStack,
  teamConfig,
} from "@handoff/testing";
import pg from "pg";
import { activeSession, casesOf, eventsOf } from "../support/active-session";
import { Watch } from "../support/session-watch";

const contiguous = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("the live feed of a session (WatchSession)", () => {
  let stack: SessionStack;
  let db: pg.Pool;
  const watches: Watch[] = [];
  beforeAll(async () => {
    stack = await SessionStack.start({ brokers: 2 });
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  }, 120_000);
  afterAll(async () => {
    for (const watch of watches) watch.cancel();
    await db?.end();
    await stack?.stop();
  });

  const open = (client: SessionBroker, request: WatchSessionRequest) => {
    const watch = new Watch(client, request);
    watches.push(watch);
    return watch;
  };
  const replicas = () => stack.brokers.map((r) => r.client) as [SessionBroker, SessionBroker];
  const newActive = async () => {
    const siteId = await stack.site([teamConfig("t1", { memberRepIds: ["alice", "bob"] })]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    return activeSession(replicas()[0], siteId, "alice");
  };

  it("delivers to a watcher on one replica what another replica writes, in order, once", async () => {
    const [a, b] = replicas();
    const s = await newActive();
    const watch = open(b, { siteId: s.siteId, sessionId: s.sessionId, requester: asRep("alice"), afterSequence: 0 });
    const history = await eventsOf(a, s.siteId, s.sessionId);
    await watch.until(history.length);
    let last = 0;
    for (let i = 0; i < 5; i++)
      last = (await a.sendChatMessage({ ...s, requester: s.customer, text: `message ${i}` })).sequence;
    const events = await watch.until(last);
    expect(watch.sequences).toEqual(contiguous(1, last));
    expect(events.map((e) => e.eventId)).toEqual((await eventsOf(a, s.siteId, s.sessionId)).map((e) => e.eventId));
    expect(events.at(-1)?.payload).toEqual({
      $case: "chatMessageSent",
      chatMessageSent: { from: 4, fromId: "", text: "message 4" },
    });
  });

  it("gives every watcher every event exactly once and in order while both replicas write at once", async () => {
    const [a, b] = replicas();
    const s = await newActive();
    const start = (await eventsOf(a, s.siteId, s.sessionId)).length;
    const onA = open(a, { siteId: s.siteId, sessionId: s.sessionId, requester: asSupervisor("sam"), afterSequence: 0 });
    const onB = open(b, { siteId: s.siteId, sessionId: s.sessionId, requester: asRep("alice"), afterSequence: start });
    const sent = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).sendChatMessage({
          ...s,
          requester: i % 3 ? s.customer : asRep("alice"),
          text: `burst ${i}`,
        }),
      ),
    );
    const last = Math.max(...sent.map((r) => r.sequence));
    expect(last).toBe(start + 40);
    await Promise.all([onA.until(last), onB.until(last)]);
    // Anything late would be a duplicate: give it a moment to show up.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(onA.sequences).toEqual(contiguous(1, last));
    expect(onB.sequences).toEqual(contiguous(start + 1, last));
    expect(new Set(onB.events.map((e) => e.eventId)).size).toBe(40);
  });

  it("resumes from a sequence, and keeps the customer's feed free of notes", async () => {
    const [a, b] = replicas();
    const s = await newActive();
    const note = await a.addNote({ ...s, requester: asRep("alice"), text: "customer sounds upset" });
    const chat = await b.sendChatMessage({ ...s, requester: asRep("alice"), text: "I am on it" });
    const resumed = open(a, {
      siteId: s.siteId,
      sessionId: s.sessionId,
      requester: asRep("alice"),
      afterSequence: note.sequence - 1,
    });
    await resumed.until(chat.sequence);
    expect(resumed.sequences).toEqual([note.sequence, chat.sequence]);

    const customer = open(b, { siteId: s.siteId, sessionId: s.sessionId, requester: s.customer, afterSequence: 0 });
    await customer.until(chat.sequence);
    const later = await a.addNote({ ...s, requester: asRep("alice"), text: "second note" });
    const bye = await a.sendChatMessage({ ...s, requester: s.customer, text: "thanks" });
    await customer.until(bye.sequence);
    expect(casesOf(customer.events)).not.toContain("noteAdded");
    expect(customer.sequences).not.toContain(note.sequence);
    expect(customer.sequences).not.toContain(later.sequence);
    expect(customer.sequences.slice(-2)).toEqual([chat.sequence, bye.sequence]);
    expect(customer.sequences).toEqual([...customer.sequences].sort((x, y) => x - y));
  });

  it("stays open after the session closed, for the surveys that follow", async () => {
    const [a, b] = replicas();
    const s = await newActive();
    const watch = open(b, { siteId: s.siteId, sessionId: s.sessionId, requester: s.customer, afterSequence: 0 });
    await a.closeSession({ ...s, requester: asRep("alice"), reason: EndReason.END_REASON_RESOLVED, abandonReason: 0 });
    await a.submitCustomerSurvey({ ...s, requester: s.customer, satisfaction: 4, comment: "" });
    await eventually(() => casesOf(watch.events).includes("surveySubmitted"), 10_000, "the survey on the feed");
    expect(casesOf(watch.events).slice(-2)).toEqual(["sessionClosed", "surveySubmitted"]);
    expect(watch.status).toBeUndefined();
  });

  it("ends a rep's feed once he left the session, while the customer's goes on", async () => {
    const [a, b] = replicas();
    const s = await newActive();
    const rep = open(b, { siteId: s.siteId, sessionId: s.sessionId, requester: asRep("alice"), afterSequence: 0 });
    const customer = open(b, { siteId: s.siteId, sessionId: s.sessionId, requester: s.customer, afterSequence: 0 });
    await rep.until((await eventsOf(a, s.siteId, s.sessionId)).length);
    await a.transferActiveSession({
      ...s,
      requester: asRep("alice"),
      target: { target: { $case: "teamId", teamId: "t1" } },
    });
    expect((await rep.closed()).code).toBe(status.OK);
    expect(rep.events.at(-1)?.payload).toEqual({
      $case: "participantLeft",
      participantLeft: { repId: "alice", reason: "transferred" },
    });
    await customer.until(rep.events.at(-1)!.sequence + 1);
    expect(customer.status).toBeUndefined();
  });

  it("survives the loss of a replica's listening connection", async () => {
    const [a, b] = replicas();
    const s = await newActive();
    const watch = open(b, { siteId: s.siteId, sessionId: s.sessionId, requester: asRep("alice"), afterSequence: 0 });
    await watch.until((await eventsOf(a, s.siteId, s.sessionId)).length);
    const pid = stack.brokers[1]!.process.child.pid!;
    const cut = await db.query("select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1", [
      `handoff-session-feed:${pid}`,
    ]);
    expect(cut.rowCount).toBe(1);
    const { sequence } = await a.sendChatMessage({ ...s, requester: s.customer, text: "still there?" });
    // Well before the 30 s safety poll: the listener reconnects and every feed re-reads.
    await watch.until(sequence, 8_000);
    expect(watch.sequences).toEqual(contiguous(1, sequence));
    await eventually(
      async () =>
        (await db.query("select 1 from pg_stat_activity where application_name = $1", [`handoff-session-feed:${pid}`]))
          .rowCount === 1,
      10_000,
      "the listener back",
    );
  });

  it("checks the watcher and the request before streaming", async () => {
    const [a] = replicas();
    const s = await newActive();
    const cases: [WatchSessionRequest, status, string?][] = [
      [{ ...s, requester: asCustomer("stolen"), afterSequence: 0 }, status.PERMISSION_DENIED],
      [{ ...s, requester: asRep("bob"), afterSequence: 0 }, status.PERMISSION_DENIED],
      [{ ...s, sessionId: "unknown", requester: asSupervisor("sam"), afterSequence: 0 }, status.NOT_FOUND],
      [{ ...s, requester: s.customer, afterSequence: -1 }, status.INVALID_ARGUMENT, "after_sequence"],
      [{ ...s, siteId: "", requester: s.customer, afterSequence: 0 }, status.INVALID_ARGUMENT, "site_id"],
      [{ ...s, requester: undefined, afterSequence: 0 }, status.INVALID_ARGUMENT, "requester.actor"],
    ];
    for (const [request, code, field] of cases) {
      const watch = open(a, request);
      const result = await watch.closed();
      expect(result.code, JSON.stringify(request)).toBe(code);
      if (field) expect(result.details.startsWith(`${field}:`)).toBe(true);
      expect(watch.events).toEqual([]);
    }
  });

  it("refuses more than 32 feeds of one session on one replica with RESOURCE_EXHAUSTED", async () => {
    const [a] = replicas();
    const s = await newActive();
    const request = { siteId: s.siteId, sessionId: s.sessionId, requester: asSupervisor("sam"), afterSequence: 0 };
    const many = Array.from({ length: 32 }, () => open(a, request));
    await Promise.all(many.map((w) => w.until(1)));
    const extra = open(a, request);
    expect((await extra.closed()).code).toBe(status.RESOURCE_EXHAUSTED);
    // A cancelled feed frees its place.
    many[0]!.cancel();
    await eventually(async () => {
      const retry = open(a, request);
      const ok = await retry.until(1, 2_000).then(
        () => true,
        () => false,
      );
      return ok || undefined;
    }, 10_000);
    for (const w of many) w.cancel();
  });

  it("ends its feeds with OK when the replica shuts down, so clients resume elsewhere", async () => {
    const s = await newActive();
    const replica = await stack.addBroker();
    const client = connectSessionBroker(`127.0.0.1:${replica.process.grpcPort}`);
    try {
      const watch = open(client, { ...s, requester: s.customer, afterSequence: 0 });
      await watch.until(1);
      const stopped = stack.stopBroker(stack.brokers.indexOf(replica));
      const result = await watch.closed(15_000);
      expect(result.code).toBe(status.OK);
      expect(watch.ended).toBe(true);
      await stopped;
    } finally {
      client.close();
    }
  });
});
