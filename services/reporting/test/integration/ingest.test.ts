import { randomBytes } from "node:crypto";
import { RoutingEvent } from "@handoff/proto/events";
import { createEventProducer, createKafka, createLogger, type EventProducer } from "@handoff/runtime";
import { infrastructureEnv, prng } from "@handoff/testing";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import type { Admin, Kafka } from "kafkajs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CONSUMER_LAG_METRIC } from "../../src/events/consumer-lag";
import { EventLogBuilder, team, type LoggedEvent } from "../support/event-log-builder";
import { handmadeDay, handmadeSettings } from "../support/handmade-day";
import { publish, startIngest, testTopics, waitCaughtUp, type RunningIngest } from "../support/ingest-harness";
import { createReportingDatabase, type ReportingDatabase } from "../support/reporting-database";

/** A reader the test collects from when it wants (the lag gauge is observed on collection). */
class CollectingReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const DAY = Date.UTC(2026, 10, 2);
const SITE = "site-ingest";

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = prng(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

describe("reporting ingest", () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: EventProducer;
  let databaseUrl: string;
  const running: RunningIngest[] = [];
  const databases: ReportingDatabase[] = [];

  beforeAll(async () => {
    const env = infrastructureEnv();
    databaseUrl = env.DATABASE_URL;
    kafka = createKafka({
      clientId: "reporting-test",
      brokers: env.KAFKA_BROKERS.split(","),
      logger: createLogger("test", "silent"),
    });
    admin = kafka.admin();
    await admin.connect();
    producer = await createEventProducer(kafka);
  });

  afterEach(async () => {
    await Promise.allSettled(running.splice(0).map((r) => r.consumers.disconnect()));
    await Promise.allSettled(databases.splice(0).map((d) => d.drop()));
  });

  afterAll(async () => {
    await producer.disconnect();
    await admin.disconnect();
  });

  async function ingested(
    topics: ReturnType<typeof testTopics>,
    options: { meter?: MeterProvider; batchSize?: number } = {},
  ) {
    const database = await createReportingDatabase(databaseUrl);
    databases.push(database);
    const ingest = await startIngest(kafka, topics, database, {
      meter: options.meter?.getMeter("reporting"),
      batchSize: options.batchSize,
    });
    running.push(ingest);
    await waitCaughtUp(admin, ingest, topics);
    return { database, ingest };
  }

  it("builds the same tables when every event is delivered twice and out of order, in batches of any size", async () => {
    const day = [...handmadeDay(SITE, DAY), ...handmadeSettings(SITE, DAY)];
    const inOrder = testTopics();
    await publish(producer, inOrder, day);
    const once = await ingested(inOrder);

    const disordered = testTopics();
    await publish(producer, disordered, [...shuffled(day, 1), ...shuffled(day, 2)]);
    const twice = await ingested(disordered);
    const inThrees = await ingested(disordered, { batchSize: 3 });

    expect(await once.ingest.consumers.readiness.check()).toBe(true);
    const expected = await once.database.dump();
    expect(Object.fromEntries(Object.entries(expected).map(([table, rows]) => [table, rows.length]))).toEqual({
      dead_letters: 0,
      events: day.length,
      handled_parts: 3,
      offers: 6,
      queue_entries: 6,
      rep_profile_changes: 6,
      rep_state_changes: 4,
      sessions: 5,
      site_settings: 1,
      surveys: 2,
      wait_estimates: 1,
    });
    // The highest version wins whatever came last: the shuffled logs deliver version 1 after 2 too.
    expect(JSON.parse(expected.site_settings![0]!)).toMatchObject({
      site_id: SITE,
      version: 2,
      time_zone: "Europe/Berlin",
      service_level_threshold_ms: 30_000,
      short_abandon_threshold_ms: 6_000,
    });
    expect(await twice.database.dump()).toEqual(expected);
    expect(await inThrees.database.dump()).toEqual(expected);
  });

  it("rebuilds identical tables when a new group replays the topics from offset 0 into an empty database", async () => {
    const topics = testTopics();
    await publish(producer, topics, [...handmadeDay(SITE, DAY), ...handmadeSettings(SITE, DAY)]);
    const first = await ingested(topics);
    const replay = await ingested(topics);
    expect(await replay.database.dump()).toEqual(await first.database.dump());
  });

  it("dead-letters undecodable events and unknown schema versions with the reason, and goes on ingesting", async () => {
    const topics = testTopics();
    const day = handmadeDay(SITE, DAY);
    const half = Math.floor(day.length / 2);
    const later = new EventLogBuilder(SITE).queued(DAY + 3_600_000, "s9", team("t1")).events[0]!;
    const poison: LoggedEvent[] = [
      { kind: "routing", message: { ...later.message, value: Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]) } },
      { kind: "routing", message: { ...later.message, schemaVersion: 2 } },
      { kind: "presence", message: { ...later.message, eventType: "RepTeleported", value: new Uint8Array() } },
    ];
    await publish(producer, topics, [...day.slice(0, half), ...poison, ...day.slice(half), later]);
    const { database } = await ingested(topics);

    const letters = await database.pool.query<{ topic: string; reason: string }>(
      `select topic, reason from reporting.dead_letters order by topic, "offset"`,
    );
    expect(letters.rows).toEqual([
      { topic: topics.presence, reason: 'unknown event type "RepTeleported"' },
      { topic: topics.routing, reason: expect.stringMatching(/^undecodable: /) as string },
      { topic: topics.routing, reason: "unknown schema version 2; this build reads 1" },
    ]);
    expect(await database.count("events")).toBe(day.length + 1);
    expect(await database.count("queue_entries")).toBe(7);
  });

  it("dead-letters an event PostgreSQL refuses on its own, and the rest of its batch lands", async () => {
    const topics = testTopics();
    const day = handmadeDay(SITE, DAY);
    // An event id too long (and too random to compress) for the events table's primary key index.
    const hugeId = `${SITE}/${randomBytes(6_000).toString("base64")}`;
    const refused = new EventLogBuilder(SITE).queued(DAY + 3_600_000, "s9", team("t1")).events[0]!;
    const message = RoutingEvent.decode(refused.message.value);
    message.eventId = hugeId;
    const poison: LoggedEvent = {
      kind: "routing",
      message: { ...refused.message, eventId: hugeId, value: RoutingEvent.encode(message).finish() },
    };
    const half = Math.floor(day.length / 2);
    await publish(producer, topics, [...day.slice(0, half), poison, ...day.slice(half)]);
    const { database } = await ingested(topics);

    const letters = await database.pool.query<{ topic: string; reason: string }>(
      `select topic, reason from reporting.dead_letters`,
    );
    expect(letters.rows).toEqual([
      { topic: topics.routing, reason: expect.stringMatching(/^refused by PostgreSQL \(54000\): index row/) as string },
    ]);
    const clean = testTopics();
    await publish(producer, clean, day);
    const expected = await (await ingested(clean)).database.dump();
    expect(await database.dump()).toEqual({ ...expected, dead_letters: [expect.any(String)] });
  });

  it("reports consumer lag per topic partition as an OpenTelemetry gauge, 0 once caught up", async () => {
    const topics = testTopics();
    await publish(producer, topics, [...handmadeDay(SITE, DAY), ...handmadeSettings(SITE, DAY)]);
    const reader = new CollectingReader();
    const meters = new MeterProvider({ readers: [reader] });
    await ingested(topics, { meter: meters });

    const { resourceMetrics } = await reader.collect();
    const lag = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === CONSUMER_LAG_METRIC);
    expect(lag?.descriptor.unit).toBe("{event}");
    const points = (lag?.dataPoints ?? []).map((p) => ({
      topic: p.attributes["messaging.destination.name"],
      lag: p.value,
    }));
    expect(new Set(points.map((p) => p.topic))).toEqual(new Set(Object.values(topics)));
    expect(points.every((p) => p.lag === 0)).toBe(true);
    await meters.shutdown();
  });
});
