import { commonSettings, durationMs, kafkaSettings, loadConfig, port, redisSettings } from "@handoff/runtime";
import { z } from "zod";
import { ESTIMATE_RECORD_INTERVAL_MS } from "./domain/limits";

export const acdSettings = z.object({
  ...commonSettings,
  ...redisSettings,
  ...kafkaSettings,
  GRPC_PORT: port(50051),
  ESTIMATE_RECORD_INTERVAL_MS: durationMs(ESTIMATE_RECORD_INTERVAL_MS),
});

export type AcdConfig = z.infer<typeof acdSettings>;

export const loadAcdConfig = (env: NodeJS.ProcessEnv = process.env): AcdConfig => loadConfig(acdSettings, env);
