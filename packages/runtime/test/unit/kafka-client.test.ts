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

  it("keeps every other error response at error level", () => {
    const { lines, log } = capture();
    log(responseError("Not authorized to access group"));
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, msg: "Response GroupCoordinator(key: 10, version: 2)" }),
    ]);
  });

  it("treats as 'not yet' only errors kafkajs itself retries", () => {
    const require = createRequire(import.meta.url);
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
