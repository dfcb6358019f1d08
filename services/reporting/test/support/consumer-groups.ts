import type { Kafka } from "kafkajs";
import type { IngestTopics, TopicKind } from "../../src/events/ingest-topics";

const KINDS: readonly TopicKind[] = ["routing", "presence", "sessions"];

/**
 * Commits the topics' current ends for the ingest groups of `groupPrefix`, so consumers of a test on
 * the shared topics (whose history other tests keep growing) read only what comes after.
 */
export async function startGroupsAtEnd(kafka: Kafka, topics: IngestTopics, groupPrefix: string): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const kind of KINDS) {
      const ends = await admin.fetchTopicOffsets(topics[kind]);
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
