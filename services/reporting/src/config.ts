import {
  commonSettings,
  ConfigInvalidError,
  durationMs,
  kafkaSettings,
  loadConfig,
  port,
  postgresUrl,
  tokenSettingProblems,
  tokenSettings,
} from "@handoff/runtime";
import { z } from "zod";
import { INGEST_TOPICS } from "./events/ingest-topics";

const topicName = (defaultName: string) =>
  z
    .string()
    .regex(/^[\w.-]{1,249}$/, "a Kafka topic name: letters, digits, _ . - only")
    .default(defaultName);

export const reportingSettings = z.object({
  ...commonSettings,
  ...kafkaSettings,
  NODE_ENV: z.string().default("development"),
  DATABASE_URL: postgresUrl,
  GRPC_PORT: port(50054),
  HTTP_PORT: port(8084),
  HTTP_HOST: z.string().default("0.0.0.0"),
  /**
   * Prefix of the ingest consumer groups (`<prefix>.routing`, `.presence`, `.sessions`, `.sites`): one per
   * reporting database. A new prefix reads every topic from offset 0.
   */
  KAFKA_CONSUMER_GROUP: z
    .string()
    .regex(/^[\w.-]{1,100}$/, "letters, digits, _ . - only")
    .default("reporting"),
  /** The topics to ingest (a bench or a mirrored cluster may name others). */
  ROUTING_TOPIC: topicName(INGEST_TOPICS.routing),
  PRESENCE_TOPIC: topicName(INGEST_TOPICS.presence),
  SESSIONS_TOPIC: topicName(INGEST_TOPICS.sessions),
  SITES_TOPIC: topicName(INGEST_TOPICS.sites),
  /**
   * The most events one ingest transaction writes (and one offset commit covers). Larger batches
   * write faster; a crash re-delivers at most one batch per topic, which the dedupe drops.
   */
  INGEST_BATCH_SIZE: z.coerce.number().int().min(1).max(5_000).default(500),
  /**
   * Days the raw event log and the facts are kept (by event time, and by a session's start); older
   * rows are deleted by a periodic sweep. A rep's last state and profile before the cutoff are kept.
   */
  REPORTING_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(400),
  /** How often the retention sweep runs. */
  RETENTION_SWEEP_INTERVAL_MS: durationMs(3_600_000),
  /** How long start-up waits for the consumer groups to be joined before it serves anyway (not ready). */
  CONSUMER_JOIN_TIMEOUT_MS: durationMs(15_000),
  /** Supervisor API requests per supervisor (site and subject) per minute. */
  SUPERVISOR_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** Open live streams (`/v1/supervisor/stream`) per replica, per site and per supervisor. */
  SUPERVISOR_STREAMS_PER_REPLICA: z.coerce.number().int().min(1).max(100_000).default(2_000),
  SUPERVISOR_STREAMS_PER_SITE: z.coerce.number().int().min(1).max(10_000).default(50),
  SUPERVISOR_STREAMS_PER_SUPERVISOR: z.coerce.number().int().min(1).max(1_000).default(5),
  /** A heartbeat comment on each live stream this often. */
  SUPERVISOR_STREAM_HEARTBEAT_MS: durationMs(15_000),
  /** Whether reporting serves the wallboard page at /wallboard/ (built by `npm run build`). */
  WALLBOARD_DIR: z.string().optional(),
  /** Supervisor API tokens (SUPERVISOR_JWT_ISSUER...): unset issuer means development auth (logged at start). */
  ...tokenSettings("SUPERVISOR"),
});

export type ReportingConfig = z.infer<typeof reportingSettings>;

export function loadReportingConfig(env: NodeJS.ProcessEnv = process.env): ReportingConfig {
  const config = loadConfig(reportingSettings, env);
  const problems = tokenSettingProblems("SUPERVISOR", config, config.NODE_ENV === "production");
  if (problems.length > 0) throw new ConfigInvalidError(problems);
  return config;
}
