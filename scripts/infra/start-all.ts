// `npm start`: the whole system on one machine — private Redis, Kafka and PostgreSQL (or the ones
// named by REDIS_URL, KAFKA_BROKERS, DATABASE_URL) and the five services on their default ports.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { runInfrastructure } from "./cli.ts";
import type { InfrastructureEnv } from "./index.ts";

const root = path.resolve(import.meta.dirname, "..", "..");

/** Each service's own settings; every one also gets the infrastructure variables. */
const SERVICES: Record<string, Record<string, string>> = {
  acd: { GRPC_PORT: "50051" },
  presence: { GRPC_PORT: "50052", ACD_ADDRESS: "127.0.0.1:50051" },
  "session-broker": { GRPC_PORT: "50053", HTTP_PORT: "8083" },
  reporting: { GRPC_PORT: "50054", HTTP_PORT: "8084" },
  intake: { GRPC_PORT: "50055", HTTP_PORT: "8080", SESSION_BROKER_ADDRESS: "127.0.0.1:50053" },
};

function startService(name: string, env: InfrastructureEnv): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, "services", name, "dist", "main.js")], {
    env: { ...process.env, ...env, ...SERVICES[name] },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on("line", (line) => console.log(`${name.padEnd(14)}| ${line}`));
  }
  child.once("exit", (code, signal) => console.log(`${name.padEnd(14)}| exited (${signal ?? code})`));
  return child;
}

function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

const log = (line: string): void => console.error(`[infra] ${line}`);
try {
  await runInfrastructure({
    log,
    onReady: (env) => {
      const children = Object.keys(SERVICES).map((name) => startService(name, env));
      log("services starting: intake http://127.0.0.1:8080, session-broker :8083, reporting :8084; Ctrl-C stops all");
      return async () => {
        await Promise.all(children.map(stopService));
      };
    },
  });
  log("stopped");
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
