import { randomUUID } from "node:crypto";
import { TOPICS } from "@handoff/proto";
import { createKafka, createLogger, createPgPool, decodeEventHeaders } from "@handoff/runtime";

/** How Kafka's `handoff.sessions.v1` compares with the broker's histories in PostgreSQL. */
export interface SessionTopicComparison {
  /** Events in the snapshot's histories. */
  snapshotEvents: number;
  /** Event ids of the snapshot's histories that Kafka never carried. */
  missing: string[];
  /** Event ids on Kafka that no history in PostgreSQL holds, even when read after Kafka. */
  unknown: string[];
  /** Kafka's copies of the sessions' events: total read, and duplicates the consumers' dedupe drops. */
  kafka: { read: number; duplicates: number; distinct: number };
  /** Events on Kafka committed after the snapshot (sessions still changing while Kafka was read). */
  afterSnapshot: number;
}

/** Every event id in the histories of a site's sessions, as PostgreSQL holds them now. */
async function readSiteEventIds(databaseUrl: string, siteId: string): Promise<Set<string>> {
  const pool = createPgPool(databaseUrl, 1);
  try {
    const { rows } = await pool.query<{ event_id: string }>(
      "select event_id::text as event_id from session_events where site_id = $1",
      [siteId],
    );
    return new Set(rows.map((r) => r.event_id));
  } finally {
    await pool.end();
  }
}

/** The event ids on `handoff.sessions.v1` for these sessions (keyed by session id), read from the start. */
async function readSessionTopic(
  kafkaBrokers: string,
  sessionIds: ReadonlySet<string>,
  expected: ReadonlySet<string>,
  timeoutMs: number,
): Promise<string[]> {
  const kafka = createKafka({
    clientId: "system-invariants",
    brokers: kafkaBrokers.split(","),
    logger: createLogger("system-invariants", "error"),
  });
  const consumer = kafka.consumer({ groupId: `system-invariants-${randomUUID()}` });
  const ids: string[] = [];
  const seen = new Set<string>();
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: TOPICS.sessions, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const key = message.key?.toString();
        if (!key || !sessionIds.has(key)) return Promise.resolve();
        const { eventId } = decodeEventHeaders(message.headers);
        ids.push(eventId);
        seen.add(eventId);
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + timeoutMs;
    const complete = () => [...expected].every((id) => seen.has(id));
    while (Date.now() < deadline && !complete()) await new Promise((r) => setTimeout(r, 250));
    // Copies of the last events may follow on other partitions: a moment more to see duplicates.
    await new Promise((r) => setTimeout(r, 1_000));
  } finally {
    await consumer.disconnect();
  }
  return ids;
}

/**
 * Kafka carries every event of PostgreSQL's histories (after dedupe by event id), and nothing else.
 *
 * The two directions need PostgreSQL at two different moments. Every event of the `snapshot` must
 * reach Kafka. But sessions the snapshot caught live (the reconciler re-queues them, the acd offers
 * them again, a rep takes one) keep appending while Kafka is read, and the relay publishes those new
 * events too: compared with the snapshot they would look unknown. An event is only on Kafka after its
 * transaction committed (the relay reads committed outbox rows) and histories are append-only, so
 * PostgreSQL read *after* Kafka holds every event the broker published: that is the set an unknown
 * event is judged against.
 */
export async function compareSessionTopic(
  databaseUrl: string,
  kafkaBrokers: string,
  siteId: string,
  snapshot: readonly { sessionId: string; eventIds: readonly string[] }[],
  timeoutMs: number,
): Promise<SessionTopicComparison> {
  const inSnapshot = new Set(snapshot.flatMap((row) => row.eventIds));
  const sessionIds = new Set(snapshot.map((row) => row.sessionId));
  const kafkaIds = await readSessionTopic(kafkaBrokers, sessionIds, inSnapshot, timeoutMs);
  const inPostgres = await readSiteEventIds(databaseUrl, siteId);
  const distinct = new Set(kafkaIds);
  return {
    snapshotEvents: inSnapshot.size,
    missing: [...inSnapshot].filter((id) => !distinct.has(id)),
    unknown: [...distinct].filter((id) => !inPostgres.has(id)),
    kafka: { read: kafkaIds.length, duplicates: kafkaIds.length - distinct.size, distinct: distinct.size },
    afterSnapshot: [...distinct].filter((id) => !inSnapshot.has(id) && inPostgres.has(id)).length,
  };
}
