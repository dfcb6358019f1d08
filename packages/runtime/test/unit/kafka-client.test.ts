import { createRequire } from "node:module";
import { Writable } from "node:stream";
import { logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { AWAITED_BY_KAFKA_ERROR, kafkaLogFunction } from "../../src/kafka/client";
import { createLogger } from "../../src/logging/logger";

function capture(): { lines: Record<string, unknown>[]; log: ReturnType<typeof kafkaLogFunction> } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: kafkaLogFunction(createLogger("kafka-test", "debug", sink)) };
}

const responseError = (error: string) => ({
  namespace: "Connection",
  level: logLevel.ERROR,
  label: "ERROR",
  log: {
    timestamp: "2026-01-01T00:00:00.000Z",
    logger: "kafkajs",
    message: "Response GroupCoordinator(key: 10, version: 2)",
    broker: "127.0.0.1:9092",
    error,
  },
});

describe("kafkajs logging", () => {
  it("logs a broker's 'not yet' answer while Kafka starts at info, naming what is awaited", () => {
    const { lines, log } = capture();
    log(responseError("The group coordinator is not available"));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        component: "kafkajs",
        namespace: "Connection",
        broker: "127.0.0.1:9092",
        msg: "waiting for Kafka to elect the group coordinator; retrying GroupCoordinator",
      }),
    ]);
    expect(lines[0]).not.toHaveProperty("timestamp");
  });

  it("logs a consumer's crash on a 'not yet' and its restart at info, and any other crash at error", () => {
    const { lines, log } = capture();
    const consumerLog = (message: string, extra: Record<string, unknown>) =>
      log({
        namespace: "Consumer",
        level: logLevel.ERROR,
        label: "ERROR",
        log: { timestamp: new Date().toISOString(), message, ...extra },
      });
    const loading = "The coordinator is loading and hence can't process requests for this group";
    consumerLog(`Crash: KafkaJSProtocolError: ${loading}`, { groupId: "g1", stack: "..." });
    consumerLog("Restarting the consumer in 300ms", { groupId: "g1", retryTime: 300 });
    consumerLog("Crash: KafkaJSNumberOfRetriesExceeded: Connection error", { groupId: "g2", stack: "..." });
    consumerLog("Restarting the consumer in 300ms", { groupId: "g2", retryTime: 300 });
    expect(lines.map((line) => [line.level, line.groupId, line.msg])).toEqual([
      [30, "g1", "waiting for Kafka's group coordinator to finish loading; the consumer restarts"],
      [30, "g1", "Restarting the consumer in 300ms"],
      [50, "g2", "Crash: KafkaJSNumberOfRetriesExceeded: Connection error"],
      [50, "g2", "Restarting the consumer in 300ms"],
    ]);
    expect(lines[0]).not.toHaveProperty("stack");
  });

  it("logs a topic creation that raced another client at info: kafkajs itself decides whether it failed", () => {
    const { lines, log } = capture();
    const created = responseError("Topic creation errors");
    log({ ...created, log: { ...created.log, message: "Response CreateTopics(key: 19, version: 3)" } });
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [30, "topic creation raced another client; kafkajs checks what it answered"],
    ]);
  });

  it("logs a rebalance, Kafka's answer and the consumer's rejoin, at info", () => {
    const { lines, log } = capture();
    const heartbeat = responseError("The group is rebalancing, so a rejoin is needed");
    log({ ...heartbeat, log: { ...heartbeat.log, message: "Response Heartbeat(key: 12, version: 3)" } });
    log({
      namespace: "Runner",
      level: logLevel.WARN,
      label: "WARN",
      log: { timestamp: new Date().toISOString(), message: "The group is rebalancing, re-joining", groupId: "g1" },
    });
    expect(lines.map((line) => [line.level, line.msg, line.kafkaMessage])).toEqual([
      [30, "the consumer group is rebalancing; the consumer rejoins", "Response Heartbeat(key: 12, version: 3)"],
      [30, "the consumer group is rebalancing; the consumer rejoins", "The group is rebalancing, re-joining"],
    ]);
  });

  it("logs a new topic's metadata answer at info while its brokers catch up", () => {
    const { lines, log } = capture();
    const answer = responseError("This server does not host this topic-partition");
    log({ ...answer, log: { ...answer.log, message: "Response Metadata(key: 3, version: 6)" } });
    expect(lines).toEqual([
      expect.objectContaining({
        level: 30,
        msg: "waiting for Kafka's brokers to learn of a new topic; retrying Metadata",
      }),
    ]);
  });

  it("keeps every other error response at error level", () => {
    const { lines, log } = capture();
    log(responseError("Not authorized to access group"));
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, msg: "Response GroupCoordinator(key: 10, version: 2)" }),
    ]);
  });

  it("treats as 'not yet' only errors kafkajs itself retries", () => {
    const require = createRequire(__filename);
    const { errorCodes } = require("kafkajs/src/protocol/error") as {
      errorCodes: { message: string; retriable: boolean }[];
    };
    for (const message of Object.keys(AWAITED_BY_KAFKA_ERROR)) {
      expect(
        errorCodes.find((code) => code.message === message),
        message,
      ).toMatchObject({ retriable: true });
    }
  });
});
