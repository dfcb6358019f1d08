import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TOPICS } from "@handoff/proto";
import { AbandonReason, EndReason } from "@handoff/proto/common";
import { SessionEvent } from "@handoff/proto/events";
import { createEventProducer, createKafka, createLogger } from "@handoff/runtime";
import {
  asCustomer,
  compareSessionTopic,
  countUnrelayed,
  eventually,
  infrastructureEnv,
  issueRequest,
  readBrokerSessions,
  SessionStack,
  siteWithTeams,
  teamConfig,
} from "@handoff/testing";
import pg from "pg";

/**
 * Issue 13: a whole-system run reported 18 events on Kafka unknown to PostgreSQL while 146 sessions
 * were still live. The check read PostgreSQL's histories once, then Kafka: events the live sessions
 * committed (and the relay published) in between were counted as unknown.
 */
describe("Kafka's session events compared with PostgreSQL's histories", () => {
  let stack: SessionStack;
  let db: pg.Pool;
  beforeAll(async () => {
    stack = await SessionStack.start();
    db = new pg.Pool({ connectionString: infrastructureEnv().DATABASE_URL, max: 1 });
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  const relayed = (siteId: string) =>
    eventually(
      async () => (await countUnrelayed(infrastructureEnv().DATABASE_URL, siteId)) === 0,
      30_000,
      "the outbox relayed",
    );

  it("judges events committed after the snapshot by PostgreSQL as it is after Kafka, and still finds a stray one", async () => {
    const { DATABASE_URL, KAFKA_BROKERS } = infrastructureEnv();
    const siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["alice"] })]);
    const started = await stack.broker.createSession(issueRequest(siteId));
    const sessionId = started.session!.sessionId;
    await relayed(siteId);
    const snapshot = await readBrokerSessions(DATABASE_URL, siteId);
    expect(snapshot.map((row) => row.state)).toEqual(["waiting"]);

    // The live session goes on after the snapshot, as the waiting ones of the overloaded run did.
    await stack.broker.closeSession({
      siteId,
      sessionId,
      requester: asCustomer(started.customerToken),
      reason: EndReason.END_REASON_UNSPECIFIED,
      abandonReason: AbandonReason.ABANDON_REASON_CUSTOMER_LEFT,
    });
    await relayed(siteId);
    const later = await readBrokerSessions(DATABASE_URL, siteId);
    const committedAfter = later[0]!.eventIds.length - snapshot[0]!.eventIds.length;
    expect(committedAfter).toBeGreaterThan(0);

    const honest = await compareSessionTopic(DATABASE_URL, KAFKA_BROKERS, siteId, snapshot, 30_000);
    expect(honest).toMatchObject({ missing: [], unknown: [], afterSnapshot: committedAfter });

    // A copy of the session's last event under an id no history holds is still found.
    const { rows } = await db.query<{ payload: Buffer; type: string }>(
      "select payload, type from session_events where site_id = $1 order by sequence desc limit 1",
      [siteId],
    );
    const stray = randomUUID();
    const copy = SessionEvent.encode({ ...SessionEvent.decode(rows[0]!.payload), eventId: stray }).finish();
    const kafka = createKafka({
      clientId: "session-topic-check-test",
      brokers: KAFKA_BROKERS.split(","),
      logger: createLogger("session-topic-check-test", "error"),
    });
    const producer = await createEventProducer(kafka);
    try {
      await producer.publish(TOPICS.sessions, [
        { key: sessionId, value: copy, eventId: stray, eventType: rows[0]!.type, schemaVersion: 1 },
      ]);
    } finally {
      await producer.disconnect();
    }
    const strayed = await compareSessionTopic(DATABASE_URL, KAFKA_BROKERS, siteId, snapshot, 30_000);
    expect(strayed).toMatchObject({ missing: [], unknown: [stray], afterSnapshot: committedAfter });
  });
});
