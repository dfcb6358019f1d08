import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { PgPool } from "./pool";

/** Any number: serialises migrations of concurrently starting replicas. */
const MIGRATION_LOCK = 0x48414e44;

/**
 * Applies the `NNN_name.sql` files of `dir` not applied yet, in name order, each in its own
 * transaction, and records them in `history`. Returns the names applied now. Services sharing one
 * database keep separate histories, so one service's `001_x.sql` never hides another's.
 */
export async function migrate(pool: PgPool, dir: string, history = "schema_migrations"): Promise<string[]> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(history))
    throw new Error(`migration history table ${history} is not a plain name`);
  const files = readdirSync(dir)
    .filter((f) => /^\d+_[\w-]+\.sql$/.test(f))
    .sort();
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await client.query(
      `create table if not exists ${history} (name text primary key, applied_at timestamptz not null default now())`,
    );
    const done = new Set((await client.query<{ name: string }>(`select name from ${history}`)).rows.map((r) => r.name));
    for (const file of files.filter((f) => !done.has(f))) {
      await client.query("begin");
      try {
        await client.query(readFileSync(path.join(dir, file), "utf8"));
        await client.query(`insert into ${history} (name) values ($1)`, [file]);
        await client.query("commit");
        applied.push(file);
      } catch (error) {
        await client.query("rollback");
        throw new Error(`migration ${file} failed`, { cause: error });
      }
    }
  } finally {
    await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    client.release();
  }
  return applied;
}
