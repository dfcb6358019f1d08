import { status, type ServiceError } from "@grpc/grpc-js";
import { createServer, type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SessionState, StartMethod } from "@handoff/proto/common";
import { asRep, createRequest, eventually, SessionStack, teamConfig } from "@handoff/testing";
import pg from "pg";

const ROUNDS = 50;

/** A free loopback port, chosen by the kernel. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The sum over all label sets of a counter in a Prometheus scrape. */
async function counter(port: number, name: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text
    .split("\n")
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}
const ACCEPTS = 100;

describe("accepting one offer many times at once", () => {
  let stack: SessionStack;
  let db: pg.Pool;
  const metricsPorts: number[] = [];
  beforeAll(async () => {
    metricsPorts.push(await freePort(), await freePort());
    // Each replica exposes its OpenTelemetry metrics for Prometheus, as operators scrape them.
    const metrics = (port: number) => ({
      OTEL_METRICS_EXPORTER: "prometheus",
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    });
    stack = await SessionStack.start({ brokers: 1, brokerEnv: metrics(metricsPorts[0]!) });
    await stack.addBroker(metrics(metricsPorts[1]!));
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
      metricsPorts.map((port) => counter(port, "handoff_session_broker_refused_accepts_total")),
    );
    expect(refused.reduce((a, b) => a + b, 0)).toBe(ROUNDS * (ACCEPTS - 1));
  }, 420_000);
});
