import { commonSettings, durationMs, kafkaSettings, loadConfig, port, redisSettings } from "@handoff/runtime";
import { z } from "zod";
import { ESTIMATE_RECORD_INTERVAL_MS } from "./domain/limits";

export const acdSettings = z.object({
  ...commonSettings,
  ...redisSettings,
  ...kafkaSettings,
  GRPC_PORT: port(50051),
  /** Sessions one team's queue may hold waiting; an enqueue beyond it is RESOURCE_EXHAUSTED (QUEUE_FULL). */
  MAX_WAITING_PER_TEAM: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
  /** Sessions one site may hold in routing (waiting, offered or active); an enqueue beyond it is refused. */
  MAX_SESSIONS_PER_SITE: z.coerce.number().int().min(1).max(10_000_000).default(50_000),
  ESTIMATE_RECORD_INTERVAL_MS: durationMs(ESTIMATE_RECORD_INTERVAL_MS),
  /**
   * Offer streams one caller identity may hold open on a replica (a broker replica holds one per site
   * it serves reps of); a stream beyond it is RESOURCE_EXHAUSTED (TOO_MANY_STREAMS).
   */
  MAX_STREAMS_PER_CALLER: z.coerce.number().int().min(1).max(1_000_000).default(10_000),
});

export type AcdConfig = z.infer<typeof acdSettings>;

export const loadAcdConfig = (env: NodeJS.ProcessEnv = process.env): AcdConfig => loadConfig(acdSettings, env);
