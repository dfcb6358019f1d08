import path from "node:path";
import { pathToFileURL } from "node:url";

const repoRoot = path.resolve(__dirname, "..", "..", "..", "..");

/**
 * Restarts Kafka (one node of a cluster: `node`, else the first) or PostgreSQL on its data and port
 * (SIGKILL: a crash), running `whileDown` while it is stopped.
 */
export type RestartPart = (
  part: "KAFKA_BROKERS" | "DATABASE_URL" | "REDIS_URL",
  signal?: NodeJS.Signals,
  node?: number,
  whileDown?: () => Promise<void>,
) => Promise<void>;

/** The part of scripts/infra/index.ts used here (that harness is ESM TypeScript that Node 24 runs as is). */
export interface InfrastructureHarness {
  startInfrastructure(options: {
    redis?: boolean;
    kafka?: boolean;
    postgres?: boolean;
    redisCluster?: boolean;
    kafkaNodes?: 1 | 3;
    env?: NodeJS.ProcessEnv;
    log?: (line: string) => void;
  }): Promise<{
    env: { REDIS_URL?: string; KAFKA_BROKERS?: string; DATABASE_URL?: string; REDIS_CLUSTER_NODES?: string };
    stop: () => Promise<void>;
    restart: RestartPart;
  }>;
}

/** Loads the repository's infrastructure harness (scripts/infra), the one `npm start` and vitest use. */
export async function loadInfrastructureHarness(): Promise<InfrastructureHarness> {
  const url = pathToFileURL(path.join(repoRoot, "scripts", "infra", "index.ts")).href;
  return (await import(url)) as InfrastructureHarness;
}

/** Private Redis, Kafka and PostgreSQL for one whole-system run, started by the repository's scripts. */
export interface PrivateInfrastructure {
  /** REDIS_CLUSTER_NODES only when asked for: the services then use the cluster, not REDIS_URL. */
  env: { REDIS_URL: string; KAFKA_BROKERS: string; DATABASE_URL: string; REDIS_CLUSTER_NODES?: string };
  restart: RestartPart;
  stop: () => Promise<void>;
}

/**
 * Starts a Redis (and a 3-master Redis Cluster when asked), a Kafka (one node, or a 3-node cluster)
 * and a PostgreSQL of the run's own (never the shared test servers: a fault test flushes, kills and
 * restarts them).
 */
export async function startPrivateInfrastructure(
  options: { kafkaNodes?: 1 | 3; redisCluster?: boolean; log?: (line: string) => void } = {},
): Promise<PrivateInfrastructure> {
  const harness = await loadInfrastructureHarness();
  const infra = await harness.startInfrastructure({ redis: true, kafka: true, postgres: true, env: {}, ...options });
  const { REDIS_URL, KAFKA_BROKERS, DATABASE_URL, REDIS_CLUSTER_NODES } = infra.env;
  if (!REDIS_URL || !KAFKA_BROKERS || !DATABASE_URL || (options.redisCluster && !REDIS_CLUSTER_NODES))
    throw new Error("the infra harness left a part out");
  const cluster = options.redisCluster ? { REDIS_CLUSTER_NODES } : {};
  return { env: { REDIS_URL, KAFKA_BROKERS, DATABASE_URL, ...cluster }, restart: infra.restart, stop: infra.stop };
}
