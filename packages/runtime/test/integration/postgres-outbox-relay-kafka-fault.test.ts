import { loadInfrastructureHarness, TopicReader } from "@handoff/testing";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startBackgroundLoop } from "../../src/background-loop";
import { createKafka } from "../../src/kafka/client";
import { createEventProducer } from "../../src/kafka/producer";
import { waitForTopicLeaders, whileTopicsSettle } from "../../src/kafka/topic-leaders";
import { createLogger } from "../../src/logging/logger";
import { PostgresOutboxRelay } from "../../src/outbox/postgres-outbox-relay";
import { createPgPool } from "../../src/postgres/pool";

/**
 * The broker's outbox relay (PostgreSQL → Kafka) while the Kafka node leading some of the topic's
 * partitions is killed (-9) and restarted, as in the whole-system fault suite where 7 session events
 * of PostgreSQL never reached Kafka. A batch spans every partition, so one send goes to all three
 * nodes. Before the producer's fixes (runtime kafka/producer.ts) this failed in both ways it can:
 * rows marked published that never reached Kafka (a send resolved without the dead node's partitions,
 * which had moved to nodes that had already answered), or a relay stopped for good (a send given up
 * while the node was down left the idempotent producer's sequence numbers behind a batch the new
 * leader had, and Kafka refused every later send as out of order).
 */
const PARTITIONS = 6;
/** Rows written per tick, each under a key of its own (so spread over every partition), and the tick. */
const ROWS_PER_TICK = 10;
const TICK_MS = 20;
/** Load before the kill and after the node is back. */
const BEFORE_MS = 2_000;
const AFTER_MS = 2_000;
/** Every row is on Kafka (and marked published) within this after the node is back. */
const CATCH_UP_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the PostgreSQL outbox relay across a Kafka node killed (-9) and restarted", () => {
  let infra: Awaited<ReturnType<Awaited<ReturnType<typeof loadInfrastructureHarness>>["startInfrastructure"]>>;
  beforeAll(async () => {
    const harness = await loadInfrastructureHarness();
    // A Kafka of its own: the test kills one of its nodes.
    infra = await harness.startInfrastructure({ redis: false, kafka: true, kafkaNodes: 3, postgres: true, env: {} });
  }, 240_000);
  afterAll(async () => {
    await infra?.stop();
  }, 60_000);

  it("puts every outbox row on Kafka (at least once, none lost) within 30 s of the node's return", async () => {
    const logger = createLogger("outbox-kafka-fault-test", "warn");
    const brokers = infra.env.KAFKA_BROKERS!.split(",");
    const topic = `test.outbox.${randomUUID()}`;
    const table = `outbox_${randomUUID().replaceAll("-", "")}`;
    const pool = createPgPool(infra.env.DATABASE_URL!, 4, logger);
    const kafka = createKafka({ clientId: "outbox-kafka-fault-test", brokers, logger });
    const admin = kafka.admin();
    await admin.connect();
    await pool.query(
      `create table ${table} (id bigserial primary key, session_id text not null, event_id text not null,
       type text not null, payload bytea not null, traceparent text, created_at_ms bigint not null,
       published_at_ms bigint)`,
    );
    await whileTopicsSettle(`topic ${topic}`, () =>
      admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true }),
    );
    await waitForTopicLeaders(admin, [topic]);
    const producer = await createEventProducer(kafka);
    const relay = new PostgresOutboxRelay(pool, producer, {
      table,
      keyColumn: "session_id",
      topic,
      schemaVersion: 1,
      batchSize: 100,
      idleMs: 5,
    });
    const loop = startBackgroundLoop("outbox-relay", logger, () => relay.relayOnce());
    let writing = true;
    const written: string[] = [];
    const writer = (async () => {
      while (writing) {
        const ids = Array.from({ length: ROWS_PER_TICK }, () => randomUUID());
        await pool.query(
          `insert into ${table} (session_id, event_id, type, payload, created_at_ms)
           select unnest($1::text[]), unnest($1::text[]), 'testEvent', '\\x00', $2`,
          [ids, Date.now()],
        );
        written.push(...ids);
        await sleep(TICK_MS);
      }
    })();
    const unpublished = async () =>
      Number(
        (await pool.query<{ n: string }>(`select count(*) as n from ${table} where published_at_ms is null`)).rows[0]
          ?.n,
      );
    try {
      await sleep(BEFORE_MS);
      // The node leading partition 0 (it leads others too: six partitions over three nodes).
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const leaderId = topics[0]!.partitions.find((p) => p.partitionId === 0)!.leader;
      const { brokers: nodes } = await admin.describeCluster();
      const leader = nodes.find((node) => node.nodeId === leaderId)!;
      const index = brokers.indexOf(`${leader.host}:${leader.port}`);
      expect(index, `node ${leaderId} among ${brokers.join(",")}`).toBeGreaterThanOrEqual(0);
      const killedAt = performance.now();
      await infra.restart("KAFKA_BROKERS", "SIGKILL", index);
      const backAt = performance.now();
      await sleep(AFTER_MS);
      writing = false;
      await writer;

      // The relay has marked every row published (so its sends resolved) within the bound.
      let left = await unpublished();
      while (left > 0 && performance.now() - backAt < CATCH_UP_MS) {
        await sleep(100);
        left = await unpublished();
      }
      const caughtUpMs = performance.now() - backAt;
      console.log(
        `[outbox-kafka-fault] node ${leaderId} killed and back after ${Math.round(backAt - killedAt)} ms; ` +
          `${written.length} rows written; ${left} unpublished ${Math.round(caughtUpMs)} ms after its return`,
      );
      expect(left, "outbox rows still unpublished 30 s after the node's return").toBe(0);

      // ... and Kafka holds every one of them (each at least once), nothing else.
      const expected = new Set(written);
      const read = await new TopicReader(infra.env.KAFKA_BROKERS!, topic).readFrom(
        new Map(),
        (messages) => new Set(messages.map((m) => m.eventId)).size >= expected.size,
        CATCH_UP_MS,
      );
      const onKafka = new Set(read.map((m) => m.eventId));
      const missing = written.filter((id) => !onKafka.has(id));
      console.log(
        `[outbox-kafka-fault] ${read.length} messages on Kafka, ${onKafka.size} distinct, ` +
          `${read.length - onKafka.size} duplicates, ${missing.length} of ${written.length} rows missing`,
      );
      expect(missing.length, "rows marked published that are not on Kafka").toBe(0);
      expect([...onKafka].filter((id) => !expected.has(id))).toEqual([]);
    } finally {
      writing = false;
      await writer.catch(() => undefined);
      await loop.stop();
      await producer.disconnect();
      await admin.disconnect();
      await pool.query(`drop table if exists ${table}`).catch(() => undefined);
      await pool.end();
    }
  }, 180_000);
});
