import type { PgPool } from "@handoff/runtime";
import type { PoolClient } from "pg";

export type Tx = PoolClient;

/** Runs `work` in one transaction: every effect of an event commits with its dedupe mark, or none does. */
export async function inTransaction<T>(pool: PgPool, work: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("begin");
    const result = await work(client);
    await client.query("commit");
    return result;
  } catch (error) {
    await client.query("rollback").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
