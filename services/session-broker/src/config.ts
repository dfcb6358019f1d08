import {
  grpcAddress,
  commonSettings,
  ConfigInvalidError,
  durationMs,
  kafkaSettings,
  loadConfig,
  port,
  postgresUrl,
  redisSettings,
  tokenSettingProblems,
  tokenSettings,
} from "@handoff/runtime";
import { z } from "zod";

export const sessionBrokerSettings = z.object({
  ...commonSettings,
  ...kafkaSettings,
  // Redis holds only the leader lock (outbox relay, reconciler, disconnect sweeper).
  ...redisSettings,
  NODE_ENV: z.string().default("development"),
  DATABASE_URL: postgresUrl,
  ACD_ADDRESS: grpcAddress,
  PRESENCE_ADDRESS: grpcAddress,
  GRPC_PORT: port(50053),
  HTTP_PORT: port(8083),
  HTTP_HOST: z.string().default("0.0.0.0"),
  /**
   * Key of the HMAC under which customer tokens, session keys and link tokens are stored. Every
   * replica needs the same one; production refuses to start without it.
   */
  CREDENTIAL_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  /**
   * Prefix of the broker's Kafka consumer groups (`<prefix>.routing`, `<prefix>.presence`): one
   * per deployment; every replica of a deployment shares it.
   */
  KAFKA_CONSUMER_GROUP: z
    .string()
    .regex(/^[\w.-]{1,100}$/, "letters, digits, _ . - only")
    .default("session-broker"),
  /** How long start-up waits for the consumer groups to be joined before it serves anyway. */
  CONSUMER_JOIN_TIMEOUT_MS: durationMs(15_000),
  /** How often the leader compares the acd with PostgreSQL and repairs drift. */
  RECONCILE_INTERVAL_MS: durationMs(5_000),
  /** How often the leader looks for disconnected reps whose grace period ended. */
  DISCONNECT_SWEEP_INTERVAL_MS: durationMs(1_000),
  /** How often the leader abandons away customers whose time to return after a callback ended. */
  AWAY_SWEEP_INTERVAL_MS: durationMs(1_000),
  /**
   * How long a session start's idempotency key answers the session it started (a customer's retry);
   * older keys are deleted by the leader, and the key may then start a new session.
   */
  START_KEY_TTL_MS: durationMs(24 * 3_600_000),
  /** Agent API tokens (AGENT_JWT_ISSUER...): unset issuer means development auth (logged at start). */
  ...tokenSettings("AGENT"),
  /** Agent API requests per token subject (site and rep) per minute. */
  AGENT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** The built example agent console served at /console/ (examples/agent-console/dist by default); "" serves none. */
  AGENT_CONSOLE_DIR: z.string().max(1_000).optional(),
  /** Agent API requests per client IP per minute (a contact center's reps often share one address). */
  HTTP_RATE_LIMIT_PER_IP_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(6_000),
  /**
   * Live session feeds (WatchSession streams: one per customer page and per rep's open session) this
   * replica serves; one more is refused with RESOURCE_EXHAUSTED so the caller tries another replica.
   * Each costs a few KiB and a PostgreSQL read per event of its session.
   */
  MAX_LIVE_FEEDS: z.coerce.number().int().min(1).max(100_000).default(5_000),
  /**
   * Of those, the WatchSession streams one caller identity may hold (intake holds one per waiting
   * customer's page), so customers' pages cannot take the feeds reps need; one beyond it is
   * RESOURCE_EXHAUSTED (TOO_MANY_STREAMS).
   */
  MAX_STREAMS_PER_CALLER: z.coerce.number().int().min(1).max(100_000).default(4_000),
});

export type SessionBrokerConfig = z.infer<typeof sessionBrokerSettings>;

export function loadSessionBrokerConfig(env: NodeJS.ProcessEnv = process.env): SessionBrokerConfig {
  const config = loadConfig(sessionBrokerSettings, env);
  const problems: string[] = [];
  if (config.NODE_ENV === "production" && !config.CREDENTIAL_SECRET)
    problems.push("CREDENTIAL_SECRET: is required in production");
  problems.push(...tokenSettingProblems("AGENT", config, config.NODE_ENV === "production"));
  if (problems.length > 0) throw new ConfigInvalidError(problems);
  return config;
}

/** Used outside production when CREDENTIAL_SECRET is not set (logged at start). */
export const DEVELOPMENT_CREDENTIAL_SECRET = "handoff-development-credential-secret-not-for-production";
