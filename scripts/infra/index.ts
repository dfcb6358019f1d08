import { startKafka } from "./kafka.ts";
import { startPostgres } from "./postgres.ts";
import { startRedisCluster } from "./redis-cluster.ts";
import { startRedis } from "./redis.ts";

/** The variables the services and tests read to find their infrastructure. */
export interface InfrastructureEnv {
  REDIS_URL?: string;
  KAFKA_BROKERS?: string;
  DATABASE_URL?: string;
  /** Comma-separated host:port of every Redis Cluster master. */
  REDIS_CLUSTER_NODES?: string;
}

export type InfrastructureVariable = keyof InfrastructureEnv;

export interface InfrastructureOptions {
  /** Which parts to provide; Redis, Kafka and PostgreSQL by default, the Redis Cluster on request. */
  redis?: boolean;
  kafka?: boolean;
  postgres?: boolean;
  redisCluster?: boolean;
  /** Kafka's nodes: 1 (default) or a 3-node cluster with every topic replicated 3 times. */
  kafkaNodes?: 1 | 3;
  /** Where REDIS_URL & co. are looked up: a part whose variable is set there is not started. */
  env?: NodeJS.ProcessEnv;
  /** Progress lines ("kafka ready on 127.0.0.1:41234 in 2630 ms"). */
  log?: (line: string) => void;
}

export interface Infrastructure {
  env: InfrastructureEnv;
  /** Stops everything this call started (nothing that came from the environment). */
  stop: () => Promise<void>;
  /**
   * Restarts a server this call started, on its data and port (Kafka: SIGTERM is a controlled
   * shutdown; PostgreSQL: SIGINT is a fast one; SIGKILL a crash). Redis keeps no data: it comes back
   * empty on its port. A Kafka cluster restarts one node: `node` (0-based), else the first. `whileDown`
   * runs between the stop and the start (a test asserting what its clients see while the server is gone).
   */
  restart: (
    variable: "KAFKA_BROKERS" | "DATABASE_URL" | "REDIS_URL",
    signal?: NodeJS.Signals,
    node?: number,
    whileDown?: () => Promise<void>,
  ) => Promise<void>;
}

interface StartedPart {
  value: string;
  stop: () => Promise<void>;
  restart?: (signal?: NodeJS.Signals, node?: number, whileDown?: () => Promise<void>) => Promise<void>;
}

interface Part {
  variable: InfrastructureVariable;
  wanted: boolean;
  start: () => Promise<StartedPart>;
}

/**
 * Starts private Redis, Kafka, PostgreSQL (and optionally a Redis Cluster) in parallel on free
 * loopback ports. A part whose variable is already set in the environment is not started; its
 * value is passed through. If any part fails, the others are stopped and the first error thrown.
 */
export async function startInfrastructure(options: InfrastructureOptions = {}): Promise<Infrastructure> {
  const sourceEnv = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const parts: Part[] = [
    {
      variable: "REDIS_URL",
      wanted: options.redis ?? true,
      start: async () => {
        const redis = await startRedis();
        return {
          value: redis.url,
          stop: redis.stop,
          restart: (signal, _node, whileDown) => redis.restart(signal, whileDown),
        };
      },
    },
    {
      variable: "KAFKA_BROKERS",
      wanted: options.kafka ?? true,
      start: async () => {
        const kafka = await startKafka({ nodes: options.kafkaNodes ?? 1 });
        return { value: kafka.brokers, stop: kafka.stop, restart: kafka.restart };
      },
    },
    {
      variable: "DATABASE_URL",
      wanted: options.postgres ?? true,
      start: async () => {
        const postgres = await startPostgres();
        return {
          value: postgres.url,
          stop: postgres.stop,
          restart: (signal, _node, whileDown) => postgres.restart(signal, whileDown),
        };
      },
    },
    {
      variable: "REDIS_CLUSTER_NODES",
      wanted: options.redisCluster ?? false,
      start: async () => {
        const cluster = await startRedisCluster({ masters: 3 });
        return { value: cluster.nodes.join(","), stop: cluster.stop };
      },
    },
  ];

  const env: InfrastructureEnv = {};
  const stops: (() => Promise<void>)[] = [];
  const restarts = new Map<InfrastructureVariable, NonNullable<StartedPart["restart"]>>();
  const results = await Promise.allSettled(
    parts
      .filter((part) => part.wanted)
      .map(async (part) => {
        const given = sourceEnv[part.variable];
        if (given !== undefined && given !== "") {
          env[part.variable] = given;
          log(`${part.variable} taken from the environment: ${given}`);
          return;
        }
        const startedAt = performance.now();
        const started = await part.start();
        stops.push(started.stop);
        if (started.restart) restarts.set(part.variable, started.restart);
        env[part.variable] = started.value;
        log(`${part.variable}=${started.value} ready in ${Math.round(performance.now() - startedAt)} ms`);
      }),
  );

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= Promise.allSettled(stops.map((stopPart) => stopPart())).then((settled) => {
      const failure = settled.find((result) => result.status === "rejected");
      if (failure) throw failure.reason;
    });
    return stopping;
  };

  const failure = results.find((result) => result.status === "rejected");
  if (failure) {
    await stop().catch(() => undefined);
    throw failure.reason;
  }
  const restart: Infrastructure["restart"] = async (variable, signal, node, whileDown) => {
    const restartPart = restarts.get(variable);
    if (!restartPart) throw new Error(`${variable} was not started here (it came from the environment)`);
    await restartPart(signal, node, whileDown);
  };
  return { env, stop, restart };
}
