import { Kafka, logLevel, type LogEntry } from "kafkajs";
import type { Logger } from "pino";

const levels: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/** A kafkajs client that logs through pino. */
export function createKafka(options: { clientId: string; brokers: string[]; logger: Logger }): Kafka {
  const logger = options.logger.child({ component: "kafkajs" });
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        logger[levels[level] ?? "info"](extra, message);
      },
  });
}
