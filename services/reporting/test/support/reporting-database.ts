import { randomUUID } from "node:crypto";
import path from "node:path";
import { createPgPool, migrate, type PgPool } from "@handoff/runtime";

const MIGRATIONS = path.join(__dirname, "..", "..", "src", "store", "migrations");

export interface ReportingDatabase {
  pool: PgPool;
  /** Its URL, for what opens its own connections (the live stream's LISTEN, a service process). */
  url: string;
  /** Every table of schema `reporting`, each as its rows (JSON text) in a stable order. */
  dump(): Promise<Record<string, string[]>>;
  count(table: string): Promise<number>;
  drop(): Promise<void>;
}

/** A new, migrated database on the test PostgreSQL, so a replay starts from empty tables. */
export async function createReportingDatabase(databaseUrl: string): Promise<ReportingDatabase> {
  const name = `reporting_test_${randomUUID().replaceAll("-", "")}`;
  const admin = createPgPool(databaseUrl, 1);
  await admin.query(`create database ${name}`);
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const pool = createPgPool(url.toString(), 4);
  // Dropping the database ends its connections from the server side, which a closing pool reports.
  pool.on("error", () => undefined);
  await migrate(pool, MIGRATIONS, "reporting_schema_migrations");
  return {
    pool,
    url: url.toString(),
    async dump() {
      const tables = await pool.query<{ table_name: string }>(
        "select table_name from information_schema.tables where table_schema = 'reporting' order by 1",
      );
      const dump: Record<string, string[]> = {};
      for (const { table_name: table } of tables.rows) {
        const rows = await pool.query<{ row: string }>(
          `select to_jsonb(t)::text as row from reporting.${table} t order by 1`,
        );
        dump[table] = rows.rows.map((r) => r.row);
      }
      return dump;
    },
    async count(table) {
      const result = await pool.query<{ n: string }>(`select count(*) as n from reporting.${table}`);
      return Number(result.rows[0]?.n ?? 0);
    },
    async drop() {
      await pool.end();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
