import { commonSettings, kafkaSettings, loadConfig, port, redisSettings } from "@handoff/runtime";
import { z } from "zod";

export const presenceSettings = z.object({
  ...commonSettings,
  ...redisSettings,
  ...kafkaSettings,
  GRPC_PORT: port(50052),
});

export type PresenceConfig = z.infer<typeof presenceSettings>;

export const loadPresenceConfig = (env: NodeJS.ProcessEnv = process.env): PresenceConfig =>
  loadConfig(presenceSettings, env);
