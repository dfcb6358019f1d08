import { status, type ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionState, StartMethod } from "@handoff/proto/common";
import { asRep, createRequest, eventually, PrometheusEndpoint, SessionStack, teamConfig } from "@handoff/testing";
import pg from "pg";

const ROUNDS = 50;

const ACCEPTS = 100;

describe("accepting one offer many times at once", () => {
  let stack: SessionStack;
  let db: pg.Pool;
  const metrics: PrometheusEndpoint[] = [];
  beforeAll(async () => {
    // Each replica exposes its OpenTelemetry metrics for Prometheus, as operators scrape them.
    metrics.push(await PrometheusEndpoint.create(), await PrometheusEndpoint.create());
    stack = await SessionStack.start({ brokers: 1, brokerEnv: metrics[0]!.env });
    await stack.addBroker(metrics[1]!.env);
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  it("gives exactly one assignment for 100 concurrent accepts through two replicas, 50 times", async () => {
    const siteId = await stack.site([teamConfig("t1", { memberRepIds: ["alice", "bob"] })]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const [a, b] = stack.brokers.map((replica) => replica.client);
    for (let round = 0; round < ROUNDS; round++) {
      const created = await a!.createSession(
        createRequest(siteId, { startMethod: StartMethod.START_METHOD_REP_LIST, repId: "alice" }),
      );
      const sessionId = created.session!.sessionId;
      const offered = await eventually(async () => {
        const { session } = await b!.getSession({ siteId, sessionId, requester: asRep("alice") });
        return session?.state === SessionState.SESSION_STATE_OFFERED ? session : undefined;
      });
      // Different timing each round: each accept waits 0..(round % 5) ms before it is sent.
      const outcomes = await Promise.allSettled(
        Array.from({ length: ACCEPTS }, async (_, i) => {
          await new Promise((resolve) => setTimeout(resolve, (i * 7 + round) % (1 + (round % 5))));
          const broker = i % 2 === 0 ? a! : b!;
          // One in ten comes from a rep the offer is not for, with the same epoch.
          const repId = i % 10 === 9 ? "bob" : "alice";
          return broker.acceptSessionOffer({ siteId, sessionId, repId, epoch: offered.epoch });
        }),
      );
      const accepted = outcomes.filter((o) => o.status === "fulfilled");
      const refused = outcomes.flatMap((o) => (o.status === "rejected" ? [o.reason as ServiceError] : []));
      expect(accepted).toHaveLength(1);
      expect(refused.every((e) => e.code === status.FAILED_PRECONDITION)).toBe(true);

      const assignments = await db.query<{ n: string }>(
        "select count(*) as n from session_events where site_id = $1 and session_id = $2 and type = 'sessionAssigned'",
        [siteId, sessionId],
      );
      expect(Number(assignments.rows[0]!.n)).toBe(1);
      const participants = await db.query<{ rep_id: string }>(
        "select rep_id from session_participants where site_id = $1 and session_id = $2",
        [siteId, sessionId],
      );
      expect(participants.rows.map((r) => r.rep_id)).toEqual(["alice"]);
      const routing = await stack.acd.getSessionRouting({ siteId, sessionId });
      expect(routing).toMatchObject({ state: SessionState.SESSION_STATE_ACTIVE, repId: "alice", epoch: offered.epoch });
      await a!.closeSession({ siteId, sessionId, requester: asRep("alice"), reason: 0, abandonReason: 0 });
    }
    // Every refused accept was counted, by one replica or the other.
    const refused = await Promise.all(
      metrics.map((endpoint) => endpoint.sum("handoff_session_broker_refused_accepts_total")),
    );
    expect(refused.reduce((a, b) => a + b, 0)).toBe(ROUNDS * (ACCEPTS - 1));
  }, 420_000);
});
