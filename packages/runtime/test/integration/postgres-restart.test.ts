import { eventually, loadInfrastructureHarness } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unavailableDependency } from "../../src/dependency-failure";
import { createPgPool } from "../../src/postgres/pool";

/**
 * A PostgreSQL crash with connections checked out (a transaction, a relay holding its rows) used to
 * kill the broker and reporting: pg emits `error` on a checked-out client, which nobody heard. Here
 * an unheard error would fail the run as an unhandled error.
 */
describe("a pg pool across a PostgreSQL crash", () => {
  let infra: Awaited<ReturnType<Awaited<ReturnType<typeof loadInfrastructureHarness>>["startInfrastructure"]>>;
  beforeAll(async () => {
    const harness = await loadInfrastructureHarness();
    // A PostgreSQL of its own: the test kills it.
    infra = await harness.startInfrastructure({ redis: false, kafka: false, postgres: true, env: {} });
  }, 120_000);
  afterAll(async () => {
    await infra?.stop();
  });

  it("survives errors on idle and checked-out connections and serves queries again once PostgreSQL is back", async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (fields: unknown) => void warnings.push(fields) } as never;
    const pool = createPgPool(infra.env.DATABASE_URL!, 4, logger);
    try {
      const held = await pool.connect();
      await held.query("BEGIN");
      const idle = await pool.connect();
      idle.release();

      await infra.restart("DATABASE_URL", "SIGKILL");

      await expect(held.query("SELECT 1")).rejects.toThrow();
      held.release(true);
      const answer = await eventually(
        async () => (await pool.query<{ one: number }>("SELECT 1 AS one")).rows[0]?.one,
        30_000,
        "a query after the restart",
      );
      expect(answer).toBe(1);
      expect(warnings.length).toBeGreaterThanOrEqual(1);
    } finally {
      await pool.end();
    }
  }, 120_000);

  it("fails a query that waits longer than the connect timeout for a connection as PostgreSQL unavailable", async () => {
    const pool = createPgPool(infra.env.DATABASE_URL!, 1, undefined, 300);
    const held = await pool.connect();
    try {
      const started = performance.now();
      const error: unknown = await pool.query("SELECT 1").then(
        () => undefined,
        (rejected: unknown) => rejected,
      );
      expect(unavailableDependency(error)).toBe("postgresql");
      expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      held.release();
    }
    // The pool serves again once a connection is free.
    expect((await pool.query<{ one: number }>("SELECT 1 AS one")).rows[0]?.one).toBe(1);
    await pool.end();
  });
});
