import { Kafka, logLevel, type LogEntry } from "kafkajs";
import type { Logger } from "pino";
import { fixRequestQueueTimer } from "./request-queue-timer-fix";

const levels: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/**
 * Broker answers that mean "not yet", keyed by kafkajs's error message, with what is awaited.
 * kafkajs logs every error response at error level before its retrier tries again, so a broker
 * that is still electing a group coordinator (the first seconds after Kafka starts) printed errors
 * on a clean start. These are logged at info instead; when the retries run out, the caller's
 * promise rejects or the consumer logs its crash, at error.
 */
export const AWAITED_BY_KAFKA_ERROR: Readonly<Record<string, string>> = {
  "The group coordinator is not available": "Kafka to elect the group coordinator",
  "The coordinator is loading and hence can't process requests for this group":
    "Kafka's group coordinator to finish loading",
  "This is not the correct coordinator for this group": "Kafka's group coordinator to settle on one broker",
  "There is no leader for this topic-partition as we are in the middle of a leadership election":
    "Kafka to elect a partition leader",
  // A topic created a moment ago, before every broker's metadata (or its replica's leadership) caught
  // up: clean starts printed it at error (CI's `check:start`, the whole-system runs). Callers wait it
  // out, bounded (`whileTopicsSettle`), and fail at error when it lasts.
  "This server does not host this topic-partition": "Kafka's brokers to learn of a new topic",
  "This server is not the leader for that topic-partition": "a new topic's partition leader to take over",
};

/**
 * A rebalance (a replica joined or left the group): Kafka answers the members' heartbeats and commits
 * with this, kafkajs logs that answer at error and its consumer's rejoin at warn, and the consumer
 * rejoins by itself. That is how a consumer group works, not a fault: both go to info.
 */
const REBALANCING = "The group is rebalancing, so a rejoin is needed";
const REJOINING = "The group is rebalancing, re-joining";

/** `Response GroupCoordinator(key: 10, version: 2)` → `GroupCoordinator`. */
function requestName(message: string): string {
  return /^Response (\w+)/.exec(message)?.[1] ?? message;
}

/** What a consumer's crash (`Crash: KafkaJSProtocolError: <error>`) awaits, if it is a "not yet". */
function awaitedByCrash(message: string): string | undefined {
  const error = /^Crash: \w+: (.*)$/.exec(message)?.[1];
  return error === undefined ? undefined : AWAITED_BY_KAFKA_ERROR[error];
}

/** A pino-backed kafkajs log function, exported for tests. */
export function kafkaLogFunction(logger: Logger): (entry: LogEntry) => void {
  const kafkaLogger = logger.child({ component: "kafkajs" });
  /** Consumer groups whose last crash was a "not yet": kafkajs restarts them, which is no error either. */
  const restartingAfterWait = new Set<unknown>();
  return ({ namespace, level, log }) => {
    const { message, ...rest } = log;
    const extra: Record<string, unknown> = { ...rest };
    // kafkajs's own timestamp and logger name repeat what pino already writes.
    delete extra["timestamp"];
    delete extra["logger"];
    const error = extra["error"];
    const awaited = typeof error === "string" ? AWAITED_BY_KAFKA_ERROR[error] : undefined;
    if (level === logLevel.ERROR && awaited !== undefined) {
      kafkaLogger.info({ namespace, ...extra }, `waiting for ${awaited}; retrying ${requestName(message)}`);
      return;
    }
    // Two replicas (or intake and reporting) creating the same missing topic at once: the slower gets
    // TOPIC_ALREADY_EXISTS, which kafkajs's createTopics then answers as "already there". Any other
    // creation error still rejects ensureTopics, and the service fails to start with it at error.
    if (level === logLevel.ERROR && error === "Topic creation errors" && requestName(message) === "CreateTopics") {
      kafkaLogger.info({ namespace, ...extra }, "topic creation raced another client; kafkajs checks what it answered");
      return;
    }
    if ((level === logLevel.ERROR && error === REBALANCING) || (level === logLevel.WARN && message === REJOINING)) {
      kafkaLogger.info(
        { namespace, ...extra, kafkaMessage: message },
        "the consumer group is rebalancing; the consumer rejoins",
      );
      return;
    }
    const crashAwaited = level === logLevel.ERROR ? awaitedByCrash(message) : undefined;
    if (crashAwaited !== undefined) {
      delete extra["stack"];
      restartingAfterWait.add(extra["groupId"]);
      kafkaLogger.info({ namespace, ...extra }, `waiting for ${crashAwaited}; the consumer restarts`);
      return;
    }
    if (message.startsWith("Restarting the consumer") && restartingAfterWait.delete(extra["groupId"])) {
      kafkaLogger.info({ namespace, ...extra }, message);
      return;
    }
    kafkaLogger[levels[level] ?? "info"]({ namespace, ...extra }, message);
  };
}

/** A kafkajs client that logs through pino. */
export function createKafka(options: { clientId: string; brokers: string[]; logger: Logger }): Kafka {
  fixRequestQueueTimer();
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => kafkaLogFunction(options.logger),
  });
}
