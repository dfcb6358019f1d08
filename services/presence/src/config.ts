import {
  commonSettings,
  durationMs,
  grpcAddress,
  kafkaSettings,
  loadConfig,
  port,
  redisSettings,
} from "@handoff/runtime";
import { z } from "zod";

export const presenceSettings = z.object({
  ...commonSettings,
  ...redisSettings,
  ...kafkaSettings,
  GRPC_PORT: port(50052),
  ACD_ADDRESS: grpcAddress,
  /** How often a rep's desktop heartbeats. */
  HEARTBEAT_INTERVAL_MS: durationMs(10_000),
  /** Missed heartbeats before a connection is dropped. */
  HEARTBEAT_TOLERANCE: z.coerce.number().int().min(1).max(20).default(3),
  /** Live connections (desktops, tabs) one rep may hold; a new one beyond it is RESOURCE_EXHAUSTED. */
  MAX_CONNECTIONS_PER_REP: z.coerce.number().int().min(1).max(1_000).default(16),
});

export type PresenceConfig = z.infer<typeof presenceSettings>;

export const loadPresenceConfig = (env: NodeJS.ProcessEnv = process.env): PresenceConfig =>
  loadConfig(presenceSettings, env);
