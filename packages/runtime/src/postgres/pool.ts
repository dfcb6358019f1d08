import pg from "pg";
import { markDependencyFailure } from "../dependency-failure";
import type { Logger } from "../logging/logger";

export type PgPool = pg.Pool;

/**
 * A pg client whose failed connect says it was PostgreSQL's: pg rejects with the bare socket error
 * (ECONNREFUSED while the server is down), which names no dependency. The pool connects every client
 * it opens through this.
 */
class PostgresClient extends pg.Client {
  override connect(): Promise<void>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<void> | void {
    if (!callback)
      return super.connect().catch((error: Error) => {
        throw markDependencyFailure(error, "postgresql");
      });
    super.connect((error) => callback(error && markDependencyFailure(error, "postgresql")));
  }
}

/**
 * How long a query waits for a connection of the pool (or for a new one to open) before it fails as
 * PostgreSQL unavailable (UNAVAILABLE / 503, so callers back off). pg's default is to wait for ever:
 * an overloaded replica then queued every request, including those whose callers had long given up
 * and retried, and its own reconciler behind them (a whole-system run at load average 35 left 146
 * sessions unrepaired). A healthy wait is a few ms; 10 s is far beyond it.
 */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * A pg pool; `max` bounds connections per replica, `connectTimeoutMs` a query's wait for one. A connection that fails (PostgreSQL restarted, the
 * network dropped it) emits `error`: on the pool while idle, on the client itself while checked out
 * (a transaction, a relay holding its rows). Without a listener Node throws it and the process dies,
 * so both always have one: the query in flight fails, the pool drops the broken connection when it is
 * released and opens another for the next query. It is logged when a `logger` is given. Errors of a
 * connection (its connect, or its socket dying in use) are marked as PostgreSQL's, so that the
 * transports answer them UNAVAILABLE / 503 (`unavailableDependency`): pg emits `error` before the
 * query in flight sees it rejected.
 */
export function createPgPool(url: string, max = 10, logger?: Logger, connectTimeoutMs = CONNECT_TIMEOUT_MS): PgPool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    Client: PostgresClient,
    connectionTimeoutMillis: connectTimeoutMs,
  });
  pool.on("error", (error) => logger?.warn({ err: error }, "an idle PostgreSQL connection failed; it is replaced"));
  pool.on("connect", (client) =>
    client.on("error", (error) => {
      markDependencyFailure(error, "postgresql");
      logger?.warn({ err: error }, "a PostgreSQL connection in use failed; its query fails and it is replaced");
    }),
  );
  return pool;
}
