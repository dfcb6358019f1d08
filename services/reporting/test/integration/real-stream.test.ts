import { Actor, EndReason, RepState } from "@handoff/proto/common";
import { createKafka, createLogger } from "@handoff/runtime";
import {
  asCustomer,
  asRep,
  createRequest,
  eventually,
  infrastructureEnv,
  offeredEpoch,
  SessionStack,
  teamConfig,
  teamTarget,
} from "@handoff/testing";
import type { Kafka } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INGEST_TOPICS } from "../../src/events/ingest-topics";
import { startIngest, type RunningIngest } from "../support/ingest-harness";
import { createReportingDatabase, type ReportingDatabase } from "../support/reporting-database";

const customerRequest = (siteId: string, repId: string) => createRequest(siteId, { repId });

describe("reporting on the real services' event stream", () => {
  let stack: SessionStack;
  let kafka: Kafka;
  let database: ReportingDatabase;
  let ingest: RunningIngest;

  beforeAll(async () => {
    const env = infrastructureEnv();
    stack = await SessionStack.start();
    kafka = createKafka({
      clientId: "reporting-real-stream",
      brokers: env.KAFKA_BROKERS.split(","),
      logger: createLogger("test", "silent"),
    });
    database = await createReportingDatabase(env.DATABASE_URL);
    ingest = await startIngest(kafka, INGEST_TOPICS, database, { fromEnd: true });
  }, 180_000);

  afterAll(async () => {
    await ingest?.consumers.disconnect();
    await database?.drop();
    await stack?.stop();
  });

  it("turns a session answered, transferred, answered again, ended and rated into its timeline, and an abandon into an abandoned entry", async () => {
    const siteId = await stack.site([
      teamConfig("t1", { memberRepIds: ["alice"] }),
      teamConfig("t2", { memberRepIds: ["bob"] }),
    ]);
    const b = stack.broker;
    await stack.repOnline(siteId, "alice", ["t1"]);
    await stack.repOnline(siteId, "bob", ["t2"]);

    const created = await b.createSession(customerRequest(siteId, "alice"));
    const s1 = { siteId, sessionId: created.session!.sessionId };
    await b.acceptSessionOffer({ ...s1, repId: "alice", epoch: await offeredEpoch(b, siteId, s1.sessionId, "alice") });
    await b.transferActiveSession({ ...s1, requester: asRep("alice"), target: teamTarget("t2") });
    await b.acceptSessionOffer({ ...s1, repId: "bob", epoch: await offeredEpoch(b, siteId, s1.sessionId, "bob") });
    await b.closeSession({ ...s1, requester: asRep("bob"), reason: EndReason.END_REASON_RESOLVED, abandonReason: 0 });
    await b.submitCustomerSurvey({ ...s1, requester: asCustomer(created.customerToken), satisfaction: 4, comment: "" });

    await stack.presence.setState({
      siteId,
      repId: "alice",
      state: RepState.REP_STATE_AWAY,
      reasonCode: "lunch",
      actor: Actor.ACTOR_REP,
      actorId: "alice",
    });
    const waiting = await b.createSession(customerRequest(siteId, "alice"));
    const s2 = { siteId, sessionId: waiting.session!.sessionId };
    await b.closeSession({ ...s2, requester: asCustomer(waiting.customerToken), reason: 0, abandonReason: 0 });

    const query = (sql: string, ...params: unknown[]) => database.pool.query(sql, [siteId, ...params]);
    await eventually(
      async () =>
        (await query("select 1 from reporting.surveys where site_id = $1")).rowCount === 1 &&
        (await query("select 1 from reporting.queue_entries where site_id = $1 and outcome = 'abandoned'")).rowCount ===
          1,
      60_000,
      "the site's facts",
    );

    const entries = await query(
      "select queue_kind, queue_id, cause, outcome, answered_by_rep_id from reporting.queue_entries where site_id = $1 and session_id = $2 order by entry_no",
      s1.sessionId,
    );
    expect(entries.rows).toEqual([
      { queue_kind: "rep", queue_id: "alice", cause: "queued", outcome: "answered", answered_by_rep_id: "alice" },
      { queue_kind: "team", queue_id: "t2", cause: "transferred", outcome: "answered", answered_by_rep_id: "bob" },
    ]);
    const parts = await query(
      "select rep_id, entry_no, end_cause from reporting.handled_parts where site_id = $1 and session_id = $2 order by part_no",
      s1.sessionId,
    );
    expect(parts.rows).toEqual([
      { rep_id: "alice", entry_no: 1, end_cause: "transferred" },
      { rep_id: "bob", entry_no: 2, end_cause: "ended" },
    ]);
    const session = await query(
      "select * from reporting.sessions where site_id = $1 and session_id = $2",
      s1.sessionId,
    );
    expect(session.rows[0]).toMatchObject({
      start_method: "START_METHOD_REP_LIST",
      end_reason: "END_REASON_RESOLVED",
      transfers: 1,
      offers: 2,
    });
    const { answered_at_ms: answeredAt, created_at_ms: createdAt } = session.rows[0] as Record<string, string>;
    expect(Number(answeredAt)).toBeGreaterThanOrEqual(Number(createdAt));
    const survey = await query("select satisfaction, queue_kind, queue_id from reporting.surveys where site_id = $1");
    expect(survey.rows).toEqual([{ satisfaction: 4, queue_kind: "team", queue_id: "t2" }]);
    const abandoned = await query(
      "select queue_kind, queue_id, abandon_reason from reporting.queue_entries where site_id = $1 and session_id = $2",
      s2.sessionId,
    );
    expect(abandoned.rows).toEqual([
      { queue_kind: "rep", queue_id: "alice", abandon_reason: "ABANDON_REASON_CUSTOMER_LEFT" },
    ]);
    const away = await query(
      "select state, reason_code from reporting.rep_state_changes where site_id = $1 and rep_id = 'alice' order by changed_at_ms desc limit 1",
    );
    expect(away.rows).toEqual([{ state: "REP_STATE_AWAY", reason_code: "lunch" }]);
    expect(await database.count("dead_letters")).toBe(0);
  }, 150_000);
});
