import pg from "pg";

export type PgPool = pg.Pool;

/** A pg pool; `max` bounds connections per replica. */
export function createPgPool(url: string, max = 10): PgPool {
  return new pg.Pool({ connectionString: url, max });
}
