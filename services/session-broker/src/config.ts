import { commonSettings, kafkaSettings, loadConfig, port, postgresUrl } from "@handoff/runtime";
import { z } from "zod";

export const sessionBrokerSettings = z.object({
  ...commonSettings,
  ...kafkaSettings,
  DATABASE_URL: postgresUrl,
  GRPC_PORT: port(50053),
  HTTP_PORT: port(8083),
  HTTP_HOST: z.string().default("0.0.0.0"),
});

export type SessionBrokerConfig = z.infer<typeof sessionBrokerSettings>;

export const loadSessionBrokerConfig = (env: NodeJS.ProcessEnv = process.env): SessionBrokerConfig =>
  loadConfig(sessionBrokerSettings, env);
