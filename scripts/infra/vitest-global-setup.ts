import type { TestProject } from "vitest/node";
import type {} from "vitest"; // makes 'vitest' resolvable for the augmentation below
import { startInfrastructure, type InfrastructureVariable } from "./index.ts";

declare module "vitest" {
  export interface ProvidedContext {
    REDIS_URL: string;
    KAFKA_BROKERS: string;
    DATABASE_URL: string;
    REDIS_CLUSTER_NODES: string;
  }
}

/**
 * Vitest globalSetup: starts Redis, a Redis Cluster, Kafka and PostgreSQL (each skipped when its
 * variable is already set), exposes them both as process.env (inherited by the test workers) and
 * through `inject('REDIS_URL')` & co., and stops them after the run.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const infrastructure = await startInfrastructure({
    redisCluster: true,
    log: (line) => console.log(`[infra] ${line}`),
  });
  for (const [name, value] of Object.entries(infrastructure.env) as [InfrastructureVariable, string][]) {
    process.env[name] = value;
    project.provide(name, value);
  }
  return () => infrastructure.stop();
}
