import {
  grpcAddress,
  commonSettings,
  kafkaSettings,
  redisSettings,
  ConfigInvalidError,
  loadConfig,
  port,
  postgresUrl,
  tokenSettingProblems,
  tokenSettings,
} from "@handoff/runtime";
import { z } from "zod";

export const intakeSettings = z.object({
  ...commonSettings,
  NODE_ENV: z.string().default("development"),
  GRPC_PORT: port(50055),
  HTTP_PORT: port(8080),
  HTTP_HOST: z.string().default("0.0.0.0"),
  /** The site administration API: its own listener, never exposed with the public port. */
  ADMIN_HTTP_PORT: port(8085),
  ADMIN_HTTP_HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: postgresUrl,
  SESSION_BROKER_ADDRESS: grpcAddress,
  /** The acd, whose routing config the admin API reads and writes for a site. */
  ACD_ADDRESS: grpcAddress,
  /** Presence, which knows the reps the portal lists (logged in, available). */
  PRESENCE_ADDRESS: grpcAddress,
  /** Public endpoints: requests per client IP per minute, counted by all replicas together. */
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(120),
  /** Proxies in front of the public port whose X-Forwarded-For names the client (0: none; trust no header). */
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /** Public portal: requests per site per minute, from all addresses and replicas together. */
  SITE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(10_000_000).default(6_000),
  ...kafkaSettings,
  /** Rate limits and the one-stream-per-session claims, shared by every replica. */
  ...redisSettings,
  /** Prefix of intake's Redis keys and channel: deployments sharing a Redis count apart. */
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w.-]{1,64}$/, "letters, digits, _ . - only (at most 64)")
    .default("intake"),
  /**
   * Prefix of the replica's own consumer group of the acd's routing events (`<prefix>.queues.<replica>`):
   * every replica hears every queue change.
   */
  KAFKA_CONSUMER_GROUP: z
    .string()
    .regex(/^[\w.-]{1,100}$/, "letters, digits, _ . - only")
    .default("intake"),
  /** How often a waiting customer's position is read without a queue event (queue events push the rest). */
  POSITION_REFRESH_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** How often the positions of customers away keeping their place are read, to call them back. */
  CALLBACK_CHECK_MS: z.coerce.number().int().min(200).max(60_000).default(2_000),
  /**
   * Whether a site's keep-my-place webhook may reach loopback, private or other non-public addresses:
   * "refuse" by default when NODE_ENV is production (an admin's URL must not reach into the cluster),
   * "allow" otherwise (a developer's receiver on localhost).
   */
  WEBHOOK_NON_PUBLIC_ADDRESSES: z.enum(["allow", "refuse"]).optional(),
  /** Admin API requests per admin (site and subject) per minute. */
  ADMIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(120),
  /** Admin API tokens (ADMIN_JWT_ISSUER...): unset issuer means development auth (logged at start). */
  ...tokenSettings("ADMIN"),
});

export type IntakeConfig = z.infer<typeof intakeSettings> & { WEBHOOK_NON_PUBLIC_ADDRESSES: "allow" | "refuse" };

export function loadIntakeConfig(env: NodeJS.ProcessEnv = process.env): IntakeConfig {
  const config = loadConfig(intakeSettings, env);
  const production = config.NODE_ENV === "production";
  const problems = tokenSettingProblems("ADMIN", config, production);
  if (problems.length > 0) throw new ConfigInvalidError(problems);
  return {
    ...config,
    WEBHOOK_NON_PUBLIC_ADDRESSES: config.WEBHOOK_NON_PUBLIC_ADDRESSES ?? (production ? "refuse" : "allow"),
  };
}
