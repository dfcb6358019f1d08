import { execFileSync } from "node:child_process";
import { chownSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import pg from "pg";
import { freePort } from "./ports.ts";
import { makeTempDir, restartManaged, run, spawnManaged, waitFor, type ManagedProcess } from "./processes.ts";
import { requirePostgresBinaries } from "./prerequisites.ts";

const DATABASE = "handoff";

export interface StartedPostgres {
  /** postgres://postgres@127.0.0.1:<port>/handoff */
  url: string;
  port: number;
  stop: () => Promise<void>;
  /**
   * Stops the server (SIGINT, a fast shutdown; SIGKILL, a crash) and starts it again on its data and
   * port, after `whileDown` (a test's look at its clients while it is gone) has settled.
   */
  restart: (signal?: NodeJS.Signals, whileDown?: () => Promise<void>) => Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * initdb and postgres refuse to run as root. As root, run them as the `postgres` system user that
 * Debian's postgresql package creates; as anyone else, as ourselves.
 */
function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  let entry: string;
  try {
    entry = execFileSync("getent", ["passwd", "postgres"], { encoding: "utf8" });
  } catch {
    throw new Error(
      "initdb refuses to run as root and there is no `postgres` user to run it as: " +
        "install it with `apt-get install postgresql`, or run as a non-root user",
    );
  }
  const [, , uid, gid] = entry.trim().split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/** A base for the temp dir that `runAs` can reach: os.tmpdir() if every parent is searchable. */
function reachableTempBase(runAs: RunAs | undefined): string {
  const base = tmpdir();
  if (runAs === undefined) return base;
  for (let dir = base; ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return "/tmp";
    if (dirname(dir) === dir) return base;
  }
}

/** True once the server on port accepts connections and is ours (serves dataDir). */
async function acceptsConnections(port: number, dataDir: string): Promise<boolean> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  client.on("error", () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ data_directory: string }>("show data_directory");
    const served = result.rows[0]?.data_directory;
    if (served !== dataDir) throw new Error(`127.0.0.1:${port} serves ${served ?? "?"}, not ${dataDir}`);
    return true;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function createDatabase(port: number): Promise<void> {
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", database: "postgres" });
  try {
    await client.connect();
    await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

/**
 * A private PostgreSQL cluster in a temp dir on a free loopback port (trust auth, fsync off), with
 * an empty `handoff` database. The postmaster runs in the foreground under the harness (not
 * pg_ctl), so stop() and the reaper signal it by its own pid.
 */
export async function startPostgres(): Promise<StartedPostgres> {
  const binaries = requirePostgresBinaries();
  const runAs = postgresUser();
  const port = await freePort();
  const dir = makeTempDir("postgres", { base: reachableTempBase(runAs), graceSeconds: 5 });
  if (runAs) chownSync(dir.path, runAs.uid, runAs.gid);
  const dataDir = join(dir.path, "data");
  const identity = runAs ? { uid: runAs.uid, gid: runAs.gid } : {};
  // HOME of root is not readable by the postgres user; give the tools a cwd and HOME they can use.
  const env = { ...process.env, HOME: dir.path, LC_ALL: "C" };

  try {
    await run(
      binaries.initdb,
      ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
      { cwd: dir.path, env, timeoutMs: 120_000, dir, ...identity },
    );
  } catch (error) {
    dir.remove();
    throw error;
  }

  const launch = async (): Promise<ManagedProcess> => {
    const server = spawnManaged({
      name: "postgres",
      command: binaries.postgres,
      args: [
        "-D",
        dataDir,
        "-p",
        String(port),
        "-k",
        dir.path,
        "-c",
        "listen_addresses=127.0.0.1",
        "-F", // fsync off
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
      ],
      dir,
      env,
      ...identity,
      // SIGINT is the "fast" shutdown: roll back open transactions, close connections, exit.
      stopSignal: "SIGINT",
      // SIGQUIT is "immediate": the postmaster ends its backends and frees its shared memory.
      reaperSignal: "QUIT",
    });
    try {
      await waitFor(() => acceptsConnections(port, dataDir), {
        what: `postgres on 127.0.0.1:${port} to accept connections`,
        timeoutMs: 30_000,
        intervalMs: 100,
        process: server,
      });
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  };

  let server = await launch();
  try {
    await createDatabase(port);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/${DATABASE}`,
    port,
    stop: () => server.stop(),
    restart: (signal, whileDown) =>
      restartManaged(
        () => server.halt(signal),
        whileDown,
        async () => {
          server = await launch();
        },
      ),
  };
}
