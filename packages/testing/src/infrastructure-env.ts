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
