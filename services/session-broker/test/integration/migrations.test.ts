import { randomUUID } from "node:crypto";
import { mkdtempSync, readdirSync, copyFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "@handoff/runtime";
import pg from "pg";

const MIGRATIONS = path.resolve(__dirname, "../../src/store/migrations");
const files = readdirSync(MIGRATIONS)
  .filter((f) => f.endsWith(".sql"))
  .sort();

/** A pool whose connections live in a schema of their own, so each test starts from an empty database. */
async function poolInFreshSchema(admin: pg.Pool): Promise<{ pool: pg.Pool; schema: string }> {
  const schema = `migration_${randomUUID().replaceAll("-", "")}`;
  await admin.query(`create schema ${schema}`);
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2, options: `-c search_path=${schema}` });
  return { pool, schema };
}

/** A folder with the first `count` migrations only: the database as an older release left it. */
function firstMigrations(count: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "broker-migrations-"));
  for (const file of files.slice(0, count)) copyFileSync(path.join(MIGRATIONS, file), path.join(dir, file));
  return dir;
}

describe("the broker's schema migrations", () => {
  let admin: pg.Pool;
  const cleanup: (() => Promise<void>)[] = [];
  beforeAll(() => {
    admin = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
  });
  afterAll(async () => {
    for (const step of cleanup) await step();
    await admin.end();
  });

  it("builds the whole schema from an empty database, and a second run applies nothing", async () => {
    const { pool, schema } = await poolInFreshSchema(admin);
    cleanup.push(async () => {
      await pool.end();
      await admin.query(`drop schema ${schema} cascade`);
    });
    expect(await migrate(pool, MIGRATIONS)).toEqual(files);
    expect(await migrate(pool, MIGRATIONS)).toEqual([]);
    const tables = await pool.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = $1 order by table_name",
      [schema],
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(["sessions", "session_events", "session_outbox", "session_participants", "session_keys"]),
    );
  });

  it.each(files.slice(1).map((file, i) => [file, i + 1] as const))(
    "upgrades a database of the previous release with data in it to %s",
    async (_file, previous) => {
      const { pool, schema } = await poolInFreshSchema(admin);
      const dir = firstMigrations(previous);
      cleanup.push(async () => {
        await pool.end();
        await admin.query(`drop schema ${schema} cascade`);
        rmSync(dir, { recursive: true });
      });
      await migrate(pool, dir);
      // Data as the first release wrote it: a session with an event, an outbox row and a participant.
      await pool.query(
        `insert into sessions (site_id, session_id, start_method, state, target_kind, target_id, customer, consent,
           customer_token_hash, enqueued_at_ms, created_at_ms, updated_at_ms)
         values ('s', 'x', 'rep_list', 'waiting', 'rep', 'alice', '{}', '{}', '\\x00', 1, 1, 1)`,
      );
      await pool.query(
        `insert into session_events (site_id, session_id, sequence, event_id, type, occurred_at_ms, payload)
         values ('s', 'x', 1, $1, 'sessionCreated', 1, '\\x00')`,
        [randomUUID()],
      );
      await pool.query(
        `insert into session_outbox (site_id, session_id, event_id, type, payload, created_at_ms)
         values ('s', 'x', $1, 'sessionCreated', '\\x00', 1)`,
        [randomUUID()],
      );
      await pool.query("insert into redemption_failures (client_address, at_ms) values ('203.0.113.7', 1)");

      expect(await migrate(pool, MIGRATIONS)).toEqual(files.slice(previous));
      const kept = await pool.query<{ n: string }>(
        `select (select count(*) from sessions) + (select count(*) from session_events)
           + (select count(*) from session_outbox) + (select count(*) from redemption_failures) as n`,
      );
      expect(Number(kept.rows[0]!.n)).toBe(4);
    },
  );
});
