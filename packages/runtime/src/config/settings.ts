import { z } from "zod";
import { DEFAULT_MAX_CONNECTION_AGE_GRACE_MS, DEFAULT_MAX_CONNECTION_AGE_MS } from "../grpc/connection-age";
import { grpcTlsSettings } from "../grpc/tls";

/** A TCP port; 0 lets the OS choose (tests). */
export const port = (defaultPort: number) => z.coerce.number().int().min(0).max(65535).default(defaultPort);

export const durationMs = (defaultMs: number) => z.coerce.number().int().positive().default(defaultMs);

export const redisUrl = z.url({ protocol: /^rediss?$/, error: "must be a redis:// URL" });

/** Comma-separated host:port list, as `KAFKA_BROKERS=127.0.0.1:9092,127.0.0.1:9093`. */
export const hostPortList = z
  .string()
  .min(1)
  .transform((value) => value.split(",").map((entry) => entry.trim()))
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, "must be host:port[,host:port...]")).min(1));

export const postgresUrl = z.url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// URL" });

/**
 * A peer's gRPC address: `host:port` (one connection, to whichever pod a Service's virtual IP picks) or
 * `dns:///host:port` (every address the name resolves to, e.g. a headless Service's pods, used in turn).
 */
export const grpcAddress = z.string().regex(/^(dns:\/\/\/)?[^:\s/]+:\d{1,5}$/, "must be host:port or dns:///host:port");

/** Settings every service shares. */
export const commonSettings = {
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  GRPC_HOST: z.string().default("0.0.0.0"),
  ...grpcTlsSettings,
  /** The plaintext health-only port for Kubernetes' gRPC probes; none when unset. */
  GRPC_HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SHUTDOWN_TIMEOUT_MS: durationMs(10_000),
  // Below a second a connection would be replaced faster than it serves.
  GRPC_MAX_CONNECTION_AGE_MS: z.coerce.number().int().min(1_000).default(DEFAULT_MAX_CONNECTION_AGE_MS),
  GRPC_MAX_CONNECTION_AGE_GRACE_MS: z.coerce.number().int().min(0).default(DEFAULT_MAX_CONNECTION_AGE_GRACE_MS),
};

/** Either a single Redis (`REDIS_URL`) or a Redis Cluster's seed nodes (`REDIS_CLUSTER_NODES`). */
export const redisSettings = {
  REDIS_URL: redisUrl.optional(),
  REDIS_CLUSTER_NODES: hostPortList.optional(),
};

export const kafkaSettings = { KAFKA_BROKERS: hostPortList };
