import type { Kafka } from "kafkajs";
import type { RedisClient } from "../redis/connection";
import type { PgPool } from "../postgres/pool";
import { checkGrpcHealth } from "../grpc/health-client";
import type { GrpcTls } from "../grpc/tls";
import type { ReadinessCheck } from "./server";

export const redisReadiness = (redis: RedisClient): ReadinessCheck => ({
  name: "redis",
  check: async () => redis.status === "ready" && (await redis.ping()) === "PONG",
});

export const postgresReadiness = (pool: PgPool): ReadinessCheck => ({
  name: "postgres",
  check: async () => (await pool.query("select 1 as ok")).rows.length === 1,
});

/** Kafka is up when the cluster answers a metadata request through a long-lived admin client. */
export function kafkaReadiness(kafka: Kafka): ReadinessCheck & { close(): Promise<void> } {
  const admin = kafka.admin();
  let connected: Promise<void> | undefined;
  return {
    name: "kafka",
    check: async () => {
      connected ??= admin.connect().catch((error: unknown) => {
        connected = undefined;
        throw error;
      });
      await connected;
      return (await admin.describeCluster()).brokers.length > 0;
    },
    close: () => admin.disconnect(),
  };
}

export const grpcDependencyReadiness = (name: string, address: string, tls: GrpcTls): ReadinessCheck => ({
  name,
  check: async () => (await checkGrpcHealth(address, { tls })) === "SERVING",
});
