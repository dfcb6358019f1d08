import { freePort, isPortFree } from "./ports.ts";
import { run, waitFor, type ManagedProcess } from "./processes.ts";
import { requireBinary } from "./prerequisites.ts";
import { startRedisServer } from "./redis.ts";
import { redisCommand } from "./redis-probe.ts";

/** Redis Cluster talks node to node on the client port + 10000. */
const BUS_PORT_OFFSET = 10_000;

export interface StartedRedisCluster {
  /** host:port of every master, e.g. ["127.0.0.1:41234", ...]. */
  nodes: string[];
  /** redis://127.0.0.1:<first port>, a seed for cluster clients. */
  url: string;
  stop: () => Promise<void>;
}

export interface RedisClusterOptions {
  /** Number of masters (no replicas); Redis needs at least 3. Default 3. */
  masters?: number;
}

async function clusterPort(): Promise<number> {
  return freePort(async (port) => port + BUS_PORT_OFFSET <= 65_535 && (await isPortFree(port + BUS_PORT_OFFSET)));
}

/**
 * A private Redis Cluster of `masters` redis-server processes on free loopback ports, slots spread
 * by `redis-cli --cluster create`. Resolves once every node reports cluster_state:ok.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<StartedRedisCluster> {
  const masters = options.masters ?? 3;
  if (masters < 3) throw new Error(`a Redis Cluster needs at least 3 masters, got ${masters}`);
  const redisCli = requireBinary("redis-cli");
  const ports: number[] = [];
  for (let i = 0; i < masters; i++) ports.push(await clusterPort());

  const started = await Promise.allSettled(
    ports.map((port, i) =>
      startRedisServer({
        name: `redis-cluster-${i}`,
        port,
        extraArgs: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"],
      }),
    ),
  );
  const servers = started.flatMap((result) => (result.status === "fulfilled" ? [result.value] : []));
  const stop = async (): Promise<void> => {
    await Promise.all(servers.map((server: ManagedProcess) => server.stop()));
  };
  const nodes = ports.map((port) => `127.0.0.1:${port}`);
  try {
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    await run(redisCli, ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"], {
      timeoutMs: 60_000,
    });
    for (const [i, port] of ports.entries()) {
      await waitFor(async () => (await redisCommand(port, ["CLUSTER", "INFO"])).includes("cluster_state:ok"), {
        what: `cluster node 127.0.0.1:${port} to report cluster_state:ok`,
        timeoutMs: 30_000,
        intervalMs: 100,
        ...(servers[i] ? { process: servers[i] } : {}),
      });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, url: `redis://${nodes[0] ?? ""}`, stop };
}
