import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DisconnectFallback, type BrokerSettings } from "@handoff/proto/session_broker_service";
import { Actor, EndReason, RepState, SessionState, StartMethod } from "@handoff/proto/common";
import { SessionEvent } from "@handoff/proto/events";
import { asRep, createRequest, eventually, newSiteId, type SessionStack, teamConfig } from "@handoff/testing";
import pg from "pg";
import { startPrivateStack, type PrivateStack } from "../support/private-stack";

/** A connection lives 600 ms past its last heartbeat; desks heartbeat every 150 ms. */
const PRESENCE_ENV = { HEARTBEAT_INTERVAL_MS: "300", HEARTBEAT_TOLERANCE: "2" };
const HEARTBEAT_EVERY_MS = 150;

const settings = (overrides: Partial<BrokerSettings>): BrokerSettings => ({
  fallbackUrl: "",
  queueWhenNoRep: true,
  sessionKeyTtlMs: 0,
  invitationTtlMs: 0,
  accessLinkTtlMs: 0,
  disconnectGraceMs: 1_000,
  disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_REQUEUE,
  disconnectFallbackTeamId: "",
  invitationBaseUrl: "",
  version: 0,
  ...overrides,
});

interface Desk {
  connectionId: string;
  /** Stops heartbeating (his connection then expires in presence). */
  stop(): void;
}

describe("a rep whose desktop loses its connection", () => {
  let env: PrivateStack;
  let stack: SessionStack;
  let db: pg.Pool;
  const desks: Desk[] = [];
  beforeAll(async () => {
    env = await startPrivateStack({
      presenceEnv: PRESENCE_ENV,
      brokerEnv: { DISCONNECT_SWEEP_INTERVAL_MS: "200", RECONCILE_INTERVAL_MS: "500" },
    });
    stack = env.stack;
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  }, 120_000);
  afterAll(async () => {
    for (const desk of desks) desk.stop();
    await db?.end();
    await env?.stop();
  });

  /**
   * Logs the rep in and keeps his connection alive with heartbeats until stopped. The heartbeats start
   * before the login: the connection must not lapse while the login is still being set up.
   */
  async function online(siteId: string, repId: string, teamIds: string[]): Promise<Desk> {
    const connectionId = `${repId}-${randomUUID().slice(0, 8)}`;
    const timer = setInterval(() => {
      stack.presence.heartbeat({ siteId, repId, connectionId }).catch(() => undefined);
    }, HEARTBEAT_EVERY_MS);
    const desk = { connectionId, stop: () => clearInterval(timer) };
    desks.push(desk);
    await stack.presence.login({ siteId, repId, teamIds, connectionId });
    await stack.presence.setCapacity({ siteId, repId, capacity: 1, skills: [] });
    await stack.presence.setState({
      siteId,
      repId,
      state: RepState.REP_STATE_AVAILABLE,
      reasonCode: "",
      actor: Actor.ACTOR_REP,
      actorId: repId,
    });
    return desk;
  }

  async function site(fallback: Partial<BrokerSettings>): Promise<string> {
    const siteId = newSiteId();
    await stack.acd.putRoutingConfig({
      siteId,
      config: {
        version: 0,
        teams: [teamConfig("t1", { memberRepIds: ["alice", "bob"] }), teamConfig("t2", { memberRepIds: ["carol"] })],
        problemTypes: [{ id: "printers", label: "Printers", teamId: "t1", priority: 0, requiredSkills: [] }],
      },
    });
    await stack.broker.putBrokerSettings({ siteId, settings: settings(fallback) });
    return siteId;
  }

  async function row(siteId: string, sessionId: string) {
    const { rows } = await db.query<{ state: string; rep_id: string | null; target_kind: string; target_id: string }>(
      "select state, rep_id, target_kind, target_id from sessions where site_id = $1 and session_id = $2",
      [siteId, sessionId],
    );
    return rows[0]!;
  }

  async function history(siteId: string, sessionId: string): Promise<SessionEvent[]> {
    const { rows } = await db.query<{ payload: Buffer }>(
      "select payload from session_events where site_id = $1 and session_id = $2 order by sequence",
      [siteId, sessionId],
    );
    return rows.map((r) => SessionEvent.decode(r.payload));
  }

  const cases = (events: SessionEvent[]) => events.map((e) => e.payload?.$case);

  /** A team session (problem type → t1) offered to and accepted by `repId`. */
  async function answered(siteId: string, repId: string): Promise<string> {
    const created = await stack.broker.createSession(
      createRequest(siteId, { startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION, problemTypeId: "printers" }),
    );
    const sessionId = created.session!.sessionId;
    const offered = await eventually(async () => {
      const { rows } = await db.query<{ epoch: string }>(
        "select epoch from sessions where site_id = $1 and session_id = $2 and state = 'offered' and rep_id = $3",
        [siteId, sessionId, repId],
      );
      return rows[0] && Number(rows[0].epoch);
    });
    await stack.broker.acceptSessionOffer({ siteId, sessionId, repId, epoch: offered });
    return sessionId;
  }

  async function flagged(siteId: string, sessionId: string, repId: string): Promise<number> {
    return eventually(
      async () => {
        const { rows } = await db.query<{ grace_until_ms: string | null }>(
          "select grace_until_ms from session_participants where site_id = $1 and session_id = $2 and rep_id = $3",
          [siteId, sessionId, repId],
        );
        return rows[0]?.grace_until_ms ? Number(rows[0].grace_until_ms) : undefined;
      },
      10_000,
      `${repId} flagged as disconnected`,
    );
  }

  it("changes nothing but the flag when he is back within the grace period", async () => {
    const siteId = await site({
      disconnectGraceMs: 3_000,
      disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_END,
    });
    const desk = await online(siteId, "alice", ["t1"]);
    const sessionId = await answered(siteId, "alice");

    desk.stop();
    const graceUntil = await flagged(siteId, sessionId, "alice");
    // His desktop heartbeats again on the same connection: presence sees him connected, without an event.
    const timer = setInterval(() => {
      stack.presence.heartbeat({ siteId, repId: "alice", connectionId: desk.connectionId }).catch(() => undefined);
    }, HEARTBEAT_EVERY_MS);
    desks.push({ connectionId: desk.connectionId, stop: () => clearInterval(timer) });

    const events = await eventually(
      async () => {
        const events = await history(siteId, sessionId);
        return cases(events).includes("repReconnected") ? events : undefined;
      },
      15_000,
      "RepReconnected",
    );
    expect(Date.now()).toBeGreaterThanOrEqual(graceUntil);
    expect(cases(events).slice(-2)).toEqual(["repDisconnectedFlagged", "repReconnected"]);
    expect(await row(siteId, sessionId)).toMatchObject({ state: "active", rep_id: "alice" });
    const { rows } = await db.query(
      `select 1 from session_participants where site_id = $1 and session_id = $2 and rep_id = 'alice'
         and left_at_ms is null and disconnected_at_ms is null and grace_until_ms is null`,
      [siteId, sessionId],
    );
    expect(rows).toHaveLength(1);
    expect((await stack.acd.getSessionRouting({ siteId, sessionId })).state).toBe(SessionState.SESSION_STATE_ACTIVE);
  });

  it("clears the flag at once when he logs in again", async () => {
    const siteId = await site({
      disconnectGraceMs: 60_000,
      disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_END,
    });
    const desk = await online(siteId, "alice", ["t1"]);
    const sessionId = await answered(siteId, "alice");
    await stack.presence.disconnect({ siteId, repId: "alice", connectionId: desk.connectionId });
    desk.stop();
    await flagged(siteId, sessionId, "alice");
    await online(siteId, "alice", ["t1"]);
    await eventually(
      async () => cases(await history(siteId, sessionId)).includes("repReconnected"),
      10_000,
      "RepReconnected well before the grace period ends",
    );
    expect(await row(siteId, sessionId)).toMatchObject({ state: "active", rep_id: "alice" });
  });

  /** Alice answers a session, then her desktop closes its connection and she does not come back. */
  async function abandonedByAlice(fallback: Partial<BrokerSettings>) {
    const siteId = await site(fallback);
    const desk = await online(siteId, "alice", ["t1"]);
    const sessionId = await answered(siteId, "alice");
    await stack.presence.disconnect({ siteId, repId: "alice", connectionId: desk.connectionId });
    desk.stop();
    await flagged(siteId, sessionId, "alice");
    return { siteId, sessionId };
  }

  async function fallbackRan(siteId: string, sessionId: string): Promise<SessionEvent[]> {
    return eventually(
      async () => {
        const events = await history(siteId, sessionId);
        return events.some((e) => e.payload?.$case === "participantLeft" && e.payload.participantLeft.repId === "alice")
          ? events
          : undefined;
      },
      15_000,
      "the fallback rule",
    );
  }

  const waitingReason = (events: SessionEvent[]) =>
    events.flatMap((e) => (e.payload?.$case === "sessionWaiting" ? [e.payload.sessionWaiting] : [])).pop();

  it("keeps the session waiting for him in his personal queue (wait for rep)", async () => {
    const { siteId, sessionId } = await abandonedByAlice({
      disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_WAIT_FOR_REP,
    });
    const events = await fallbackRan(siteId, sessionId);
    expect(waitingReason(events)).toMatchObject({ reason: "rep_disconnected", fromRepId: "alice" });
    expect(await row(siteId, sessionId)).toMatchObject({ state: "waiting", target_kind: "rep", target_id: "alice" });
    const routing = await stack.acd.getSessionRouting({ siteId, sessionId });
    expect(routing).toMatchObject({ state: SessionState.SESSION_STATE_WAITING });
    expect(routing.target?.target).toEqual({ $case: "repId", repId: "alice" });

    await online(siteId, "alice", ["t1"]);
    await eventually(async () => (await row(siteId, sessionId)).state === "offered", 10_000, "offered to alice again");
    expect((await row(siteId, sessionId)).rep_id).toBe("alice");
  });

  it("re-queues the session to its own queue at its original place (requeue)", async () => {
    const { siteId, sessionId } = await abandonedByAlice({
      disconnectGraceMs: 3_000,
      disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_REQUEUE,
    });
    // A later customer waits in the same queue meanwhile (nobody else is online).
    const later = await stack.broker.createSession(
      createRequest(siteId, { startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION, problemTypeId: "printers" }),
    );
    const events = await fallbackRan(siteId, sessionId);
    expect(waitingReason(events)).toMatchObject({ reason: "rep_disconnected", fromRepId: "alice" });
    expect(await row(siteId, sessionId)).toMatchObject({ state: "waiting", target_kind: "team", target_id: "t1" });
    const [first, second] = await Promise.all(
      [sessionId, later.session!.sessionId].map((id) =>
        stack.acd.getQueuePosition({ siteId, sessionId: id, recordEstimate: false }),
      ),
    );
    expect(first!.position?.position).toBe(1);
    expect(second!.position?.position).toBe(2);

    await online(siteId, "bob", ["t1"]);
    await eventually(async () => (await row(siteId, sessionId)).state === "offered", 10_000, "offered to bob");
    expect((await row(siteId, sessionId)).rep_id).toBe("bob");
  });

  it("re-queues the session to the named team (team)", async () => {
    const { siteId, sessionId } = await abandonedByAlice({
      disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_TEAM,
      disconnectFallbackTeamId: "t2",
    });
    const events = await fallbackRan(siteId, sessionId);
    expect(waitingReason(events)).toMatchObject({ reason: "rep_disconnected", fromRepId: "alice" });
    expect(await row(siteId, sessionId)).toMatchObject({ state: "waiting", target_kind: "team", target_id: "t2" });
    const routing = await stack.acd.getSessionRouting({ siteId, sessionId });
    expect(routing.target?.target).toEqual({ $case: "teamId", teamId: "t2" });

    await online(siteId, "carol", ["t2"]);
    await eventually(async () => (await row(siteId, sessionId)).state === "offered", 10_000, "offered to carol");
    expect((await row(siteId, sessionId)).rep_id).toBe("carol");
  });

  it("ends the session (end)", async () => {
    const { siteId, sessionId } = await abandonedByAlice({
      disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_END,
    });
    const events = await fallbackRan(siteId, sessionId);
    const closed = events.find((e) => e.payload?.$case === "sessionClosed");
    expect(closed?.payload?.$case === "sessionClosed" && closed.payload.sessionClosed.reason).toBe(
      EndReason.END_REASON_REP_DISCONNECTED,
    );
    expect(await row(siteId, sessionId)).toMatchObject({ state: "ended" });
    // The broker tells the acd after its commit, and its log line comes by another pipe: either may
    // trail the row this test reads first.
    await eventually(
      async () => (await stack.acd.getSessionRouting({ siteId, sessionId })).state === SessionState.SESSION_STATE_ENDED,
      10_000,
      "the acd told of the end",
    );
    await eventually(
      () => stack.brokers.some((b) => b.process.output.some((line) => line.includes('"rule":"end"'))),
      5_000,
      "the broker's log line naming the rule",
    );
  });

  it("lets him just leave, and control pass on, while another rep remains", async () => {
    const siteId = await site({ disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_END });
    const aliceDesk = await online(siteId, "alice", ["t1"]);
    const sessionId = await answered(siteId, "alice");
    await online(siteId, "bob", ["t1"]);
    const { invitationId } = await stack.broker.inviteRep({
      siteId,
      sessionId,
      requester: asRep("alice"),
      invitee: { target: { $case: "repId", repId: "bob" } },
    });
    await stack.broker.answerRepInvitation({
      siteId,
      sessionId,
      invitationId,
      requester: asRep("bob"),
      accepted: true,
    });

    await stack.presence.disconnect({ siteId, repId: "alice", connectionId: aliceDesk.connectionId });
    aliceDesk.stop();
    await flagged(siteId, sessionId, "alice");
    const events = await fallbackRan(siteId, sessionId);
    expect(cases(events).slice(-2)).toEqual(["participantLeft", "controlHandedOver"]);
    expect(await row(siteId, sessionId)).toMatchObject({ state: "active", rep_id: "bob" });
    const { rows } = await db.query<{ rep_id: string; is_primary: boolean }>(
      `select rep_id, is_primary from session_participants where site_id = $1 and session_id = $2
       and left_at_ms is null`,
      [siteId, sessionId],
    );
    expect(rows).toEqual([{ rep_id: "bob", is_primary: true }]);
  });
});
