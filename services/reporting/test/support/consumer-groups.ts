import { TOPIC_CONFIGS } from "@handoff/proto";
import { ensureTopics, fetchTopicEnds } from "@handoff/runtime";
import type { Kafka } from "kafkajs";
import { INGEST_KINDS, type IngestTopics } from "../../src/events/ingest-topics";

/**
 * Commits the topics' current ends for the ingest groups of `groupPrefix`, so consumers of a test on
 * the shared topics (whose history other tests keep growing) read only what comes after.
 */
export async function startGroupsAtEnd(kafka: Kafka, topics: IngestTopics, groupPrefix: string): Promise<void> {
  // A topic no producer has written yet (the sites topic before any admin saved) starts empty.
  await ensureTopics(
    kafka,
    INGEST_KINDS.map((kind) => topics[kind]),
    Object.fromEntries(INGEST_KINDS.map((kind) => [topics[kind], TOPIC_CONFIGS[kind] ?? {}])),
  );
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const kind of INGEST_KINDS) {
      const ends = await fetchTopicEnds(admin, topics[kind]);
      await admin.setOffsets({
        groupId: `${groupPrefix}.${kind}`,
        topic: topics[kind],
        partitions: ends.map(({ partition, high }) => ({ partition, offset: high })),
      });
    }
  } finally {
    await admin.disconnect();
  }
}
