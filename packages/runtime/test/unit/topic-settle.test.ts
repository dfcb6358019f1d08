import { describe, expect, it } from "vitest";
import { whileTopicsSettle } from "../../src/kafka/topic-leaders";

const kafkaError = (type: string) => Object.assign(new Error(type), { type });

describe("whileTopicsSettle", () => {
  it("tries again while a broker answers that a new topic's partition has no leader yet", async () => {
    const answers = ["UNKNOWN_TOPIC_OR_PARTITION", "NOT_LEADER_FOR_PARTITION", "LEADER_NOT_AVAILABLE"];
    let tries = 0;
    const ends = await whileTopicsSettle("offsets", () => {
      const answer = answers[tries++];
      return answer ? Promise.reject(kafkaError(answer)) : Promise.resolve("ends");
    });
    expect({ ends, tries }).toEqual({ ends: "ends", tries: 4 });
  });

  it("gives up at once on any other error, naming what it was doing", async () => {
    let tries = 0;
    const failing = whileTopicsSettle("offsets of Kafka topic t", () => {
      tries++;
      return Promise.reject(kafkaError("TOPIC_AUTHORIZATION_FAILED"));
    });
    await expect(failing).rejects.toThrow("offsets of Kafka topic t: TOPIC_AUTHORIZATION_FAILED");
    expect(tries).toBe(1);
  });

  it("gives up after its bound while the topic never settles", async () => {
    const started = Date.now();
    const failing = whileTopicsSettle("offsets", () => Promise.reject(kafkaError("NOT_LEADER_FOR_PARTITION")), 250);
    await expect(failing).rejects.toThrow("offsets: NOT_LEADER_FOR_PARTITION");
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });
});
