import { PostgresOutboxRelay, type EventProducer, type PgPool } from "@handoff/runtime";
import { brokerMetrics } from "../metrics";
import { SESSION_EVENT_SCHEMA_VERSION, SESSIONS_TOPIC } from "./topics";

/**
 * Publishes `session_outbox` to Kafka `handoff.sessions.v1` (key = session id). Runs on the leader
 * only. Per session, ids grow in commit order because a session's changes serialise on its row lock.
 */
export function sessionOutboxRelay(pool: PgPool, producer: EventProducer): PostgresOutboxRelay {
  return new PostgresOutboxRelay(pool, producer, {
    table: "session_outbox",
    keyColumn: "session_id",
    topic: SESSIONS_TOPIC,
    schemaVersion: SESSION_EVENT_SCHEMA_VERSION,
    onLag: (ms) => brokerMetrics.outboxLagMs.record(ms),
    onBacklog: (rows) => brokerMetrics.outboxBacklog.record(rows),
  });
}
