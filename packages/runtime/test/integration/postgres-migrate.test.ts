import { createPgPool, migrate, type PgPool } from "@handoff/runtime";
import { infrastructureEnv } from "@handoff/testing";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("PostgreSQL migrations", () => {
  const schema = `test_${randomUUID().replaceAll("-", "")}`;
  let admin: PgPool;
  let pool: PgPool;
  beforeAll(async () => {
    const url = infrastructureEnv().DATABASE_URL;
    admin = createPgPool(url, 1);
    await admin.query(`create schema ${schema}`);
    const scoped = new URL(url);
    scoped.searchParams.set("options", `-c search_path=${schema}`);
    pool = createPgPool(scoped.toString(), 2);
  });
  afterAll(async () => {
    await pool.end();
    await admin.query(`drop schema ${schema} cascade`);
    await admin.end();
  });

  it("applies pending migrations in order, once, and the table answers queries", async () => {
    const dir = path.join(__dirname, "fixtures", "migrations");
    expect(await migrate(pool, dir)).toEqual(["001_create_scratch.sql", "002_seed_scratch.sql"]);
    expect(await migrate(pool, dir)).toEqual([]);
    const { rows } = await pool.query<{ label: string }>("select label from scratch order by id");
    expect(rows.map((r) => r.label)).toEqual(["first", "second"]);
  });

  it("keeps one history per service: another service's files of the same name still apply", async () => {
    const dir = path.join(__dirname, "fixtures", "migrations");
    await pool.query("drop table scratch");
    expect(await migrate(pool, dir, "other_schema_migrations")).toEqual([
      "001_create_scratch.sql",
      "002_seed_scratch.sql",
    ]);
    expect(await migrate(pool, dir)).toEqual([]);
  });
});
