import { freePort } from "./ports.ts";
import { makeTempDir, restartManaged, spawnManaged, waitFor, type ManagedProcess } from "./processes.ts";
import { requireBinary } from "./prerequisites.ts";
import { redisCommand } from "./redis-probe.ts";

export interface StartedRedis {
  /** redis://127.0.0.1:<port> */
  url: string;
  port: number;
  stop: () => Promise<void>;
  /**
   * Stops the server with `signal` (SIGKILL: a crash), runs `whileDown`, then starts an empty one on the
   * same port (no persistence: its data is gone, as after a failover to an empty replica).
   */
  restart: (signal?: NodeJS.Signals, whileDown?: () => Promise<void>) => Promise<void>;
}

export interface RedisServerOptions {
  name: string;
  port: number;
  /** Extra redis-server arguments (cluster mode). */
  extraArgs?: readonly string[];
}

/**
 * Starts a throwaway redis-server on 127.0.0.1:port: no persistence, its own temp dir, stdout in
 * <dir>/<name>.log. Resolves once it answers (INFO, checked to come from this very process).
 */
export async function startRedisServer(options: RedisServerOptions): Promise<ManagedProcess> {
  const redisServer = requireBinary("redis-server");
  const dir = makeTempDir(options.name);
  const server = spawnManaged({
    name: options.name,
    command: redisServer,
    args: [
      "--port",
      String(options.port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--daemonize",
      "no",
      "--dir",
      dir.path,
      "--logfile",
      "",
      ...(options.extraArgs ?? []),
    ],
    dir,
  });
  try {
    // INFO names the pid of the server that answers: ours, not whatever else took the port.
    await waitFor(
      async () => (await redisCommand(options.port, ["INFO", "server"])).includes(`process_id:${server.pid}\r\n`),
      {
        what: `${options.name} (pid ${server.pid}) to answer on 127.0.0.1:${options.port}`,
        timeoutMs: 15_000,
        intervalMs: 50,
        process: server,
      },
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** A private Redis on a free loopback port. */
export async function startRedis(): Promise<StartedRedis> {
  const port = await freePort();
  let server = await startRedisServer({ name: "redis", port });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => server.stop(),
    restart: (signal, whileDown) =>
      restartManaged(
        () => server.halt(signal),
        whileDown,
        async () => {
          // Its temp dir holds nothing worth keeping (no persistence): stop() removes it.
          await server.stop();
          server = await startRedisServer({ name: "redis", port });
        },
      ),
  };
}
