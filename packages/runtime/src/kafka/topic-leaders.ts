import type { Admin } from "kafkajs";

/**
 * Answers a broker gives about a topic created a moment ago, before its metadata has caught up: it
 * may know the topic before its replica has become the partition's leader, and then answers
 * NOT_LEADER_FOR_PARTITION even on a 1-node Kafka (seen in CI on a test's new topic).
 */
const NOT_YET = new Set(["UNKNOWN_TOPIC_OR_PARTITION", "LEADER_NOT_AVAILABLE", "NOT_LEADER_FOR_PARTITION"]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it resolves, again every 100 ms while a broker answers that a topic is not
 * there yet, for at most `timeoutMs`.
 *
 * A new topic is known to the controller first; until every broker's metadata has caught up, one
 * answers UNKNOWN_TOPIC_OR_PARTITION ("This server does not host this topic-partition"). kafkajs
 * gives that up at once (its `createTopics({ waitForLeaders: true })` waits through
 * LEADER_NOT_AVAILABLE only, and `subscribe` not at all), and a service starting on a new Kafka
 * exited with it (seen in the whole-system fault tests, more often on the 3-node cluster).
 */
export async function whileTopicsSettle<T>(what: string, attempt: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (!NOT_YET.has((error as { type?: string }).type ?? "") || Date.now() >= deadline)
        throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
    }
    await sleep(100);
  }
}

/** Resolves once every partition of `topics` has a leader, or rejects after `timeoutMs`. */
export async function waitForTopicLeaders(admin: Admin, topics: readonly string[], timeoutMs = 30_000): Promise<void> {
  await whileTopicsSettle(
    `Kafka topics ${topics.join(", ")} without a leader`,
    async () => {
      const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const leaderless = found.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
      if (leaderless.length > 0)
        throw Object.assign(new Error(`no leader yet for ${leaderless.map((t) => t.name).join(", ")}`), {
          type: "LEADER_NOT_AVAILABLE",
        });
    },
    timeoutMs,
  );
}

/**
 * Each partition's first and next offset of `topic`, through the brief unsettled time of a new
 * topic; kafkajs's `fetchTopicOffsets` retries only an unknown topic and bails on a leader that is
 * not ready yet.
 */
export async function fetchTopicEnds(admin: Admin, topic: string, timeoutMs = 30_000) {
  return whileTopicsSettle(`offsets of Kafka topic ${topic}`, () => admin.fetchTopicOffsets(topic), timeoutMs);
}
