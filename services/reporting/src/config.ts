import { commonSettings, kafkaSettings, loadConfig, port, postgresUrl } from "@handoff/runtime";
import { z } from "zod";

export const reportingSettings = z.object({
  ...commonSettings,
  ...kafkaSettings,
  DATABASE_URL: postgresUrl,
  GRPC_PORT: port(50054),
  HTTP_PORT: port(8084),
  HTTP_HOST: z.string().default("0.0.0.0"),
});

export type ReportingConfig = z.infer<typeof reportingSettings>;

export const loadReportingConfig = (env: NodeJS.ProcessEnv = process.env): ReportingConfig =>
  loadConfig(reportingSettings, env);
