import { commonSettings, durationMs, kafkaSettings, loadConfig, port, postgresUrl } from "@handoff/runtime";
import { z } from "zod";

export const reportingSettings = z.object({
  ...commonSettings,
  ...kafkaSettings,
  DATABASE_URL: postgresUrl,
  GRPC_PORT: port(50054),
  HTTP_PORT: port(8084),
  HTTP_HOST: z.string().default("0.0.0.0"),
  /**
   * Prefix of the ingest consumer groups (`<prefix>.routing`, `.presence`, `.sessions`): one per
   * reporting database. A new prefix reads every topic from offset 0.
   */
  KAFKA_CONSUMER_GROUP: z
    .string()
    .regex(/^[\w.-]{1,100}$/, "letters, digits, _ . - only")
    .default("reporting"),
  /** How long start-up waits for the consumer groups to be joined before it serves anyway (not ready). */
  CONSUMER_JOIN_TIMEOUT_MS: durationMs(15_000),
});

export type ReportingConfig = z.infer<typeof reportingSettings>;

export const loadReportingConfig = (env: NodeJS.ProcessEnv = process.env): ReportingConfig =>
  loadConfig(reportingSettings, env);
