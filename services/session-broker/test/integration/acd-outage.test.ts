import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Actor, RepState, SessionState, StartMethod } from "@handoff/proto/common";
import { asCustomer, createRequest, eventually, newSiteId, teamConfig } from "@handoff/testing";
import pg from "pg";
import { startPrivateStack, type PrivateStack } from "../support/private-stack";

const SESSIONS = 6;

describe("the acd stopped while customers ask for sessions", () => {
  let env: PrivateStack;
  let db: pg.Pool;
  beforeAll(async () => {
    env = await startPrivateStack({ brokerEnv: { RECONCILE_INTERVAL_MS: "500" } });
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await env?.stop();
  });

  it("creates the sessions in PostgreSQL and enqueues them, in creation order, when the acd returns", async () => {
    const { stack } = env;
    const siteId = newSiteId();
    await stack.acd.putRoutingConfig({
      siteId,
      config: {
        version: 0,
        teams: [teamConfig("t1", { memberRepIds: ["alice"] })],
        problemTypes: [{ id: "printers", label: "Printers", teamId: "t1", priority: 0, requiredSkills: [] }],
      },
    });
    // Alice is known to the acd (her personal queue exists) but away: nothing is offered meanwhile.
    await stack.repOnline(siteId, "alice", ["t1"]);
    await stack.presence.setState({
      siteId,
      repId: "alice",
      state: RepState.REP_STATE_AWAY,
      reasonCode: "break",
      actor: Actor.ACTOR_REP,
      actorId: "alice",
    });
    await stack.stopAcd();

    const created = [];
    for (let i = 0; i < SESSIONS; i++) {
      const request =
        i % 2 === 0
          ? createRequest(siteId, { startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION, problemTypeId: "printers" })
          : createRequest(siteId, { startMethod: StartMethod.START_METHOD_REP_LIST, repId: "alice" });
      const response = await stack.broker.createSession(request);
      expect(response.session?.state).toBe(SessionState.SESSION_STATE_CREATED);
      created.push({ sessionId: response.session!.sessionId, token: response.customerToken });
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const waitingInPostgres = await db.query<{ session_id: string; state: string }>(
      "select session_id, state from sessions where site_id = $1 order by created_at_ms",
      [siteId],
    );
    expect(waitingInPostgres.rows.map((r) => r.state)).toEqual(Array(SESSIONS).fill("created"));
    // The customer sees his session, waiting, while the acd is away.
    const seen = await stack.broker.getSession({
      siteId,
      sessionId: created[0]!.sessionId,
      requester: asCustomer(created[0]!.token),
    });
    expect(seen.session?.state).toBe(SessionState.SESSION_STATE_CREATED);

    await stack.restartAcd();

    await eventually(
      async () => {
        const { rows } = await db.query<{ state: string }>("select state from sessions where site_id = $1", [siteId]);
        return rows.every((r) => r.state === "waiting");
      },
      30_000,
      "every session waiting in PostgreSQL",
    );
    const routing = await Promise.all(
      created.map(({ sessionId }) => stack.acd.getSessionRouting({ siteId, sessionId })),
    );
    expect(routing.map((r) => r.state)).toEqual(Array(SESSIONS).fill(SessionState.SESSION_STATE_WAITING));
    // Each queue keeps the order in which the customers came.
    const positions = await Promise.all(
      created.map(({ sessionId }) => stack.acd.getQueuePosition({ siteId, sessionId, recordEstimate: false })),
    );
    const teamPositions = positions.filter((_, i) => i % 2 === 0).map((p) => p.position?.position);
    const repPositions = positions.filter((_, i) => i % 2 === 1).map((p) => p.position?.position);
    expect(teamPositions).toEqual([1, 2, 3]);
    expect(repPositions).toEqual([1, 2, 3]);
    const history = await db.query<{ type: string }>(
      `select type from session_events where site_id = $1 and session_id = $2 order by sequence`,
      [siteId, created[0]!.sessionId],
    );
    expect(history.rows.map((r) => r.type)).toEqual(["sessionCreated", "consentRecorded", "sessionWaiting"]);
  }, 90_000);
});
