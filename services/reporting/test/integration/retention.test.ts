import { createLogger } from "@handoff/runtime";
import { devServiceTlsEnv, infrastructureEnv } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadReportingConfig } from "../../src/config";
import { EventIngester } from "../../src/ingest/event-ingester";
import { sweepRetention } from "../../src/ingest/retention-job";
import { RetentionStore } from "../../src/store/retention-store";
import { handmadeDay } from "../support/handmade-day";
import { ingestDirectly } from "../support/ingest-directly";
import { createReportingDatabase, type ReportingDatabase } from "../support/reporting-database";

const DAY = 86_400_000;
const OLD_DAY = Date.UTC(2025, 0, 6);
const NEW_DAY = Date.UTC(2026, 10, 2);
const NOW = NEW_DAY + DAY;

/** The rows of one site in every table that has a site (dead letters have none). */
async function siteRows(database: ReportingDatabase, siteId: string) {
  const dump = await database.dump();
  return Object.fromEntries(
    Object.entries(dump)
      .filter(([table]) => table !== "dead_letters")
      .map(([table, rows]) => [
        table,
        rows.filter((row) => (JSON.parse(row) as { site_id: string }).site_id === siteId),
      ]),
  );
}

describe("reporting retention", () => {
  let database: ReportingDatabase;

  beforeAll(async () => {
    database = await createReportingDatabase(infrastructureEnv().DATABASE_URL);
  });

  afterAll(async () => {
    await database?.drop();
  });

  it("deletes events and facts older than the retention in bounded batches, keeps each rep's last state and profile, and leaves newer rows alone", async () => {
    await ingestDirectly(database.pool, [...handmadeDay("site-old", OLD_DAY), ...handmadeDay("site-new", NEW_DAY)]);
    const newBefore = await siteRows(database, "site-new");
    const store = new RetentionStore(database.pool);
    const retentionDays = 365;

    // Two sessions per batch and one batch per kind: the sweep stops at its bound and says so.
    const first = await sweepRetention(store, NOW, retentionDays, { batchSize: 2, maxBatchesPerSweep: 1 });
    expect(first).toMatchObject({ sessions: 2, more: true });
    let sweeps = 1;
    for (let last = first; last.more; sweeps++) {
      expect(sweeps).toBeLessThan(50);
      last = await sweepRetention(store, NOW, retentionDays, { batchSize: 2, maxBatchesPerSweep: 1 });
    }

    const old = await siteRows(database, "site-old");
    expect(Object.fromEntries(Object.entries(old).map(([table, rows]) => [table, rows.length]))).toEqual({
      events: 0,
      handled_parts: 0,
      offers: 0,
      queue_entries: 0,
      // r1, r2 and r3: a teams row and a capacity row each, their last before the cutoff.
      rep_profile_changes: 6,
      // r1's 09:30 change to away replaced his 09:00 one; r2 and r3 have only their 09:00 one.
      rep_state_changes: 3,
      sessions: 0,
      site_settings: 0,
      surveys: 0,
      wait_estimates: 0,
    });
    expect(old.rep_state_changes!.map((row) => (JSON.parse(row) as { state: string }).state).sort()).toEqual([
      "REP_STATE_AVAILABLE",
      "REP_STATE_AVAILABLE",
      "REP_STATE_AWAY",
    ]);
    expect(await siteRows(database, "site-new")).toEqual(newBefore);

    const again = await sweepRetention(store, NOW, retentionDays);
    expect(again).toEqual({ sessions: 0, events: 0, repFacts: 0, deadLetters: 0, more: false });
  });

  it("deletes dead letters whose Kafka message is older than the retention, in bounded batches, keeping those of unknown age", async () => {
    const ingester = new EventIngester(database.pool, createLogger("reporting-test", "silent"));
    const poison = (offset: number, timestampMs: number | undefined) => ({
      topic: "handoff.routing.v1",
      partition: 7,
      offset: String(offset),
      key: "s1",
      value: Buffer.from("not a protobuf event"),
      headers: { eventId: `poison-${offset}`, eventType: "SessionQueued", schemaVersion: 1, traceparent: "" },
      timestampMs,
    });
    await ingester.ingestBatch("routing", [
      poison(1, OLD_DAY),
      poison(2, OLD_DAY + 1),
      poison(3, OLD_DAY + 2),
      poison(4, NEW_DAY),
      poison(5, undefined),
    ]);
    const store = new RetentionStore(database.pool);
    const first = await sweepRetention(store, NOW, 365, { batchSize: 2, maxBatchesPerSweep: 1 });
    expect(first).toMatchObject({ deadLetters: 2, more: true });
    expect(await sweepRetention(store, NOW, 365)).toMatchObject({ deadLetters: 1, more: false });
    const kept = await database.pool.query<{ offset: string; message_at_ms: string | null }>(
      `select "offset", message_at_ms from reporting.dead_letters where partition = 7 order by "offset"`,
    );
    expect(kept.rows).toEqual([
      { offset: "4", message_at_ms: String(NEW_DAY) },
      { offset: "5", message_at_ms: null },
    ]);
  });

  it("takes the retention from REPORTING_RETENTION_DAYS and refuses a value out of range, naming it", () => {
    const env = {
      DATABASE_URL: "postgres://x@127.0.0.1/db",
      KAFKA_BROKERS: "127.0.0.1:9092",
      ...devServiceTlsEnv("reporting"),
    };
    expect(loadReportingConfig({ ...env, REPORTING_RETENTION_DAYS: "90" }).REPORTING_RETENTION_DAYS).toBe(90);
    expect(loadReportingConfig(env).REPORTING_RETENTION_DAYS).toBe(400);
    expect(() => loadReportingConfig({ ...env, REPORTING_RETENTION_DAYS: "0" })).toThrow(/REPORTING_RETENTION_DAYS/);
  });
});
