import { randomUUID } from "node:crypto";
import { createEventProducer, createKafka, createLogger, type EventProducer } from "@handoff/runtime";
import { infrastructureEnv, startService, syntheticLog, type ServiceProcess } from "@handoff/testing";
import type { Admin } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingestDirectly } from "../support/ingest-directly";
import { publish, testTopics, waitCaughtUp } from "../support/ingest-harness";
import { createReportingDatabase, type ReportingDatabase } from "../support/reporting-database";

const SITE = "site-crash";

describe("reporting ingest across a crash", () => {
  let admin: Admin;
  let producer: EventProducer;
  const databases: ReportingDatabase[] = [];
  const processes: ServiceProcess[] = [];

  beforeAll(async () => {
    const kafka = createKafka({
      clientId: "reporting-crash-test",
      brokers: infrastructureEnv().KAFKA_BROKERS.split(","),
      logger: createLogger("test", "silent"),
    });
    admin = kafka.admin();
    await admin.connect();
    producer = await createEventProducer(kafka);
  });

  afterAll(async () => {
    await Promise.allSettled(processes.map((p) => p.stop("SIGKILL")));
    await Promise.allSettled(databases.map((d) => d.drop()));
    await producer?.disconnect();
    await admin?.disconnect();
  });

  it("loses and duplicates nothing when the process is killed with SIGKILL mid-ingest and restarted", async () => {
    const { DATABASE_URL, KAFKA_BROKERS } = infrastructureEnv();
    const log = syntheticLog({
      siteId: SITE,
      startMs: Date.UTC(2026, 10, 2),
      days: 1,
      teams: 10,
      repsPerTeam: 5,
      sessionsPerTeamPerDay: 200,
      seed: 7,
    });
    const topics = testTopics();
    await publish(producer, topics, log);
    const crashed = await createReportingDatabase(DATABASE_URL);
    databases.push(crashed);
    const groupPrefix = `test.reporting.crash.${randomUUID().slice(0, 8)}`;
    const env = {
      DATABASE_URL: crashed.url,
      KAFKA_BROKERS,
      KAFKA_CONSUMER_GROUP: groupPrefix,
      ROUTING_TOPIC: topics.routing,
      PRESENCE_TOPIC: topics.presence,
      SESSIONS_TOPIC: topics.sessions,
      SITES_TOPIC: topics.sites,
      INGEST_BATCH_SIZE: "100",
    };

    const first = await startService("reporting", env, 60_000);
    processes.push(first);
    // Polled tightly: the kill must land while the log is still being written.
    const deadline = Date.now() + 60_000;
    while ((await crashed.count("events")) < log.length / 10) {
      if (Date.now() > deadline)
        throw new Error(`a tenth of the log not ingested in 60 s:\n${first.output.join("\n")}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect((await first.stop("SIGKILL")).signal).toBe("SIGKILL");
    const atKill = await crashed.count("events");
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(log.length);

    const restarted = await startService("reporting", env, 60_000);
    processes.push(restarted);
    await waitCaughtUp(admin, { groupPrefix }, topics, 120_000);
    await restarted.stop();

    const clean = await createReportingDatabase(DATABASE_URL);
    databases.push(clean);
    await ingestDirectly(clean.pool, log);
    const expected = await clean.dump();
    expect(expected.events).toHaveLength(log.length);
    expect(expected.sessions).toHaveLength(2_000);
    expect(await crashed.dump()).toEqual(expected);
  }, 240_000);
});
