import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import type { ServiceIdentity } from "@handoff/runtime";
import { devServiceTlsEnv } from "./dev-identity";

const repoRoot = path.resolve(__dirname, "..", "..", "..");

export interface ServiceProcess {
  child: ChildProcess;
  /** Ports from the service's "listening" log line. */
  grpcPort: number;
  /** The plaintext health-only port, when GRPC_HEALTH_PORT was set. */
  grpcHealthPort?: number;
  httpPort?: number;
  /** Every stdout/stderr line so far. */
  output: string[];
  /** Sends `signal` and resolves with the exit code (or signal name) and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

export interface ExitedService {
  code: number | null;
  output: string[];
}

/**
 * Starts `services/<name>/dist/main.js` on Node 24 (this process's binary) with ports 0 and the
 * service's development certificate by default.
 */
function launch(name: ServiceIdentity, env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, [path.join(repoRoot, "services", name, "dist", "main.js")], {
    env: {
      PATH: process.env.PATH,
      GRPC_PORT: "0",
      HTTP_PORT: "0",
      GRPC_HOST: "127.0.0.1",
      HTTP_HOST: "127.0.0.1",
      ...devServiceTlsEnv(name),
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on("line", (line) => output.push(line));
  }
  return { child, output, exited };
}

/** Starts a service and waits for its "listening" line; rejects with its output if it exits first. */
export async function startService(
  name: ServiceIdentity,
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const { child, output, exited } = launch(name, env);
  const ports = await new Promise<{ grpcPort: number; grpcHealthPort?: number; httpPort?: number }>(
    (resolve, reject) => {
      // A service that did not start in time is killed, so it does not outlive the test that gave up on it.
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${name} did not start in ${timeoutMs} ms:\n${output.join("\n")}`));
      }, timeoutMs);
      const poll = setInterval(() => {
        for (const line of output) {
          if (!line.includes('"grpcPort"')) continue;
          const parsed = JSON.parse(line) as { grpcPort: number; grpcHealthPort?: number; httpPort?: number };
          clearInterval(poll);
          clearTimeout(timer);
          resolve(parsed);
          return;
        }
      }, 20);
      void exited.then(({ code }) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`${name} exited with ${code} before listening:\n${output.join("\n")}`));
      });
    },
  );
  return {
    child,
    output,
    ...ports,
    async stop(signal = "SIGTERM") {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      return { ...result, ms: Date.now() - started };
    },
  };
}

/** Runs a service that is expected to fail at start and returns its exit code and output. */
export async function runServiceExpectingExit(
  name: ServiceIdentity,
  env: Record<string, string | undefined>,
  timeoutMs = 15_000,
): Promise<ExitedService> {
  const { child, output, exited } = launch(name, env);
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const { code } = await exited;
  clearTimeout(timer);
  return { code, output };
}
