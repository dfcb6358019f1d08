import { loadInfrastructureHarness } from "@handoff/testing/dist/system/infrastructure";
import { benchStop } from "./drivers";

export interface BenchInfrastructure {
  redisUrl: string;
  /** Set when Kafka was asked for. */
  kafkaBrokers?: string;
  /** Set when PostgreSQL was asked for. */
  databaseUrl?: string;
  /** Set when a Redis Cluster was asked for: its masters' host:port, comma-separated. */
  redisClusterNodes?: string;
}

type Cleanup = () => Promise<unknown>;
const cleanups: { name: string; run: Cleanup }[] = [];
let cleaning: Promise<void> | undefined;

/** Registers something to stop at the end of the run, on Ctrl-C or on a crash; the last registered stops first. */
export function onCleanup(name: string, run: Cleanup): void {
  cleanups.push({ name, run });
}

/** Runs every cleanup once, newest first; a failing one is reported and the others still run. */
export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const { name, run } of cleanups.reverse()) {
      try {
        await run();
      } catch (error) {
        console.error(`cleanup of ${name} failed:`, error);
      }
    }
  })();
  return cleaning;
}

/**
 * Runs a scenario: on success, failure, SIGINT or SIGTERM everything registered with onCleanup is
 * stopped before the process exits. (The harness's reapers also kill the servers if this process is
 * SIGKILLed.)
 */
export function runScenario(main: () => Promise<void>): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping the services, Redis and Kafka...`);
      benchStop.abort();
      void cleanup().finally(() => process.exit(130));
    });
  }
  main().then(
    () => cleanup().then(() => process.exit(0)),
    (error: unknown) => {
      console.error(error);
      void cleanup().finally(() => process.exit(1));
    },
  );
}

/**
 * Starts a private Redis (and Kafka and PostgreSQL when asked) through the repository's infra harness;
 * REDIS_URL, KAFKA_BROKERS or DATABASE_URL in the environment are used instead of starting that part,
 * except that `privateRedis` always starts a Redis of its own.
 */
export async function startBenchInfrastructure(options: {
  kafka: boolean;
  postgres?: boolean;
  privateRedis?: boolean;
  /** Also a 3-master Redis Cluster (scripts/infra/redis-cluster.ts), or REDIS_CLUSTER_NODES. */
  redisCluster?: boolean;
  /** Kafka as one node (default) or a 3-node cluster replicating every topic 3 times. */
  kafkaNodes?: 1 | 3;
}): Promise<BenchInfrastructure> {
  const harness = await loadInfrastructureHarness();
  const infra = await harness.startInfrastructure({
    redis: true,
    kafka: options.kafka,
    postgres: options.postgres ?? false,
    redisCluster: options.redisCluster ?? false,
    kafkaNodes: options.kafkaNodes ?? 1,
    env: options.privateRedis ? { ...process.env, REDIS_URL: undefined } : process.env,
    log: (line) => console.log(`  infra: ${line}`),
  });
  onCleanup("infrastructure", () => infra.stop());
  const redisUrl = infra.env.REDIS_URL;
  if (!redisUrl) throw new Error("the infra harness returned no REDIS_URL");
  return {
    redisUrl,
    kafkaBrokers: infra.env.KAFKA_BROKERS,
    databaseUrl: infra.env.DATABASE_URL,
    redisClusterNodes: infra.env.REDIS_CLUSTER_NODES,
  };
}
