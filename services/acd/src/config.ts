import { commonSettings, kafkaSettings, loadConfig, port, redisSettings } from "@handoff/runtime";
import { z } from "zod";

export const acdSettings = z.object({
  ...commonSettings,
  ...redisSettings,
  ...kafkaSettings,
  GRPC_PORT: port(50051),
});

export type AcdConfig = z.infer<typeof acdSettings>;

export const loadAcdConfig = (env: NodeJS.ProcessEnv = process.env): AcdConfig => loadConfig(acdSettings, env);
