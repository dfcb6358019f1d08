import type { RedisOptions } from "../redis/connection";
import { ConfigInvalidError } from "./load-config";

/** The Redis connection a service's settings ask for; neither variable set is a config error. */
export function redisOptionsFrom(
  config: { REDIS_URL?: string | undefined; REDIS_CLUSTER_NODES?: string[] | undefined },
  connectionName: string,
): RedisOptions {
  if (!config.REDIS_URL && !config.REDIS_CLUSTER_NODES) {
    throw new ConfigInvalidError(["REDIS_URL: required (or REDIS_CLUSTER_NODES for a Redis Cluster)"]);
  }
  return { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES, connectionName };
}
