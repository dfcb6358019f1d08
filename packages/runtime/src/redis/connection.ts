import { Cluster, Redis } from "ioredis";

export type RedisClient = Redis | Cluster;

export interface RedisOptions {
  /** A single Redis: `redis://host:port/db`. */
  url?: string;
  /** A Redis Cluster's seed nodes (`host:port`); wins over `url`. */
  clusterNodes?: string[];
  connectionName?: string;
}

/** Connects to one Redis or a Redis Cluster; both answer the same commands for single-slot scripts. */
export function createRedis(options: RedisOptions): RedisClient {
  if (options.clusterNodes && options.clusterNodes.length > 0) {
    return new Cluster(
      options.clusterNodes.map((node) => {
        const [host, port] = node.split(":");
        return { host: host ?? "127.0.0.1", port: Number(port) };
      }),
      { redisOptions: { connectionName: options.connectionName }, enableReadyCheck: true },
    );
  }
  if (!options.url) throw new Error("createRedis needs url or clusterNodes");
  return new Redis(options.url, { connectionName: options.connectionName, maxRetriesPerRequest: 3 });
}

/** Resolves once the client is ready (or rejects on its first error). */
export function redisReady(client: RedisClient): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onReady = () => {
      client.off("error", onError);
      resolve();
    };
    const onError = (error: Error) => {
      client.off("ready", onReady);
      reject(error);
    };
    client.once("ready", onReady);
    client.once("error", onError);
  });
}
