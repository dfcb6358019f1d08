export interface InfrastructureEnv {
  REDIS_URL: string;
  KAFKA_BROKERS: string;
  DATABASE_URL: string;
  /** Comma-separated host:port of the test Redis Cluster. */
  REDIS_CLUSTER_NODES: string;
}

/** The URLs of the real Redis, Kafka and PostgreSQL the vitest global setup started (or was given). */
export function infrastructureEnv(): InfrastructureEnv {
  const read = (name: keyof InfrastructureEnv) => {
    const value = process.env[name];
    if (!value)
      throw new Error(`${name} is not set: run the tests through vitest (its global setup starts the infrastructure)`);
    return value;
  };
  return {
    REDIS_URL: read("REDIS_URL"),
    KAFKA_BROKERS: read("KAFKA_BROKERS"),
    DATABASE_URL: read("DATABASE_URL"),
    REDIS_CLUSTER_NODES: read("REDIS_CLUSTER_NODES"),
  };
}

/**
 * The test Redis with a database of its own. The acd's and presence's leader locks and due indexes
 * are global keys, so replicas that test files start in parallel on the same database elect one leader
 * among all of them: a test could not tell which process fires its timers and relays (and counts) its
 * outbox, and another file stopping its process would pause them. A database per test file keeps the
 * leadership among the processes that file starts. Each file picks a different number (1-15).
 */
export function privateRedisUrl(database: number): string {
  const url = new URL(infrastructureEnv().REDIS_URL);
  url.pathname = `/${database}`;
  return url.toString();
}
