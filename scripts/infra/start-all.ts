// `npm start`: the whole system on one machine — private Redis, Kafka and PostgreSQL (or the ones
// named by REDIS_URL, KAFKA_BROKERS, DATABASE_URL) and the five services on their fixed ports —
// then a summary of what to open. Services write their log lines to stdout as they are (pretty in a
// terminal, JSON otherwise: LOG_FORMAT); this script's own lines and the services' stderr go to
// stderr, the latter prefixed with the service name.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { styleText } from "node:util";
import { devTlsEnv, loadOrCreateDevCertificates, type DevCertificates } from "@handoff/runtime";
import { runInfrastructure } from "./cli.ts";
import { demoSiteSummary, seedDemoPortal, seedDemoSite } from "./demo-site.ts";
import type { InfrastructureEnv } from "./index.ts";
import {
  LOCAL_PAGES,
  LOCAL_SERVICES,
  localHttpUrl,
  READY_LINE,
  requiredPorts,
  TOKEN_COMMAND,
  type ServiceName,
} from "./local-services.ts";
import { isPortFree, portHolder } from "./ports.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
/** Every service answers within this after the infrastructure is up, or the start fails. */
const READY_TIMEOUT_MS = 90_000;

const names = Object.keys(LOCAL_SERVICES) as ServiceName[];
const width = Math.max(...names.map((name) => name.length));
const say = (line: string): void => console.error(line);
const bold = (text: string): string => styleText("bold", text, { stream: process.stderr });

/** LOG_FORMAT and colours for the services: what a terminal would get, unless the caller chose. */
function loggingEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  if (!process.env["LOG_FORMAT"]) env["LOG_FORMAT"] = process.stdout.isTTY ? "pretty" : "json";
  // The services write into a pipe to this process; colour as if they wrote to the terminal.
  if (process.stdout.isTTY && process.env["NO_COLOR"] === undefined && process.env["FORCE_COLOR"] === undefined) {
    env["FORCE_COLOR"] = "1";
  }
  return env;
}

/** Refuses, naming each port and who holds it, when a port a service needs is taken. */
async function checkPorts(): Promise<void> {
  const taken: string[] = [];
  for (const { port, what } of requiredPorts()) {
    // The services bind 0.0.0.0, which fails when anything listens on the port at any address.
    if (await isPortFree(port, "0.0.0.0")) continue;
    const holder = portHolder(port);
    taken.push(`${port} (${what}) ${holder ? `by ${holder}` : "by another process"}`);
  }
  if (taken.length > 0) {
    throw new Error(
      `cannot start: ${taken.length === 1 ? "a port it needs is" : "ports it needs are"} taken: ${taken.join("; ")}. ` +
        "Stop what holds them (an earlier npm start?) and run npm start again.",
    );
  }
}

function startService(
  name: ServiceName,
  env: InfrastructureEnv,
  certificates: DevCertificates,
  onExit: (name: ServiceName) => void,
): ChildProcess {
  const child = spawn(process.execPath, [path.join(root, "services", name, "dist", "main.js")], {
    env: {
      ...process.env,
      ...env,
      ...loggingEnv(),
      ...devTlsEnv(certificates, name),
      ...LOCAL_SERVICES[name].env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  createInterface({ input: child.stdout }).on("line", (line) => console.log(line));
  createInterface({ input: child.stderr }).on("line", (line) => say(`${name.padEnd(width)} | ${line}`));
  child.once("exit", () => onExit(name));
  return child;
}

function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** HTTP services are ready when /readyz says so (their dependencies answer); the others when gRPC accepts. */
async function isReady(name: ServiceName): Promise<boolean> {
  const service = LOCAL_SERVICES[name];
  if (service.httpPort === undefined) return tcpAccepts(service.grpcPort);
  try {
    const response = await fetch(localHttpUrl(name, "/readyz"), { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

async function waitUntilReady(children: Map<ServiceName, ChildProcess>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const waiting = new Set(children.keys());
  while (waiting.size > 0) {
    for (const name of waiting) {
      const child = children.get(name)!;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `${name} exited (${child.signalCode ?? child.exitCode}) before it was ready; see its lines above`,
        );
      }
      if (await isReady(name)) waiting.delete(name);
    }
    if (waiting.size === 0) break;
    if (Date.now() > deadline) {
      throw new Error(`not ready after ${READY_TIMEOUT_MS / 1000} s: ${[...waiting].join(", ")}`);
    }
    await sleep(250);
  }
}

function hasRootScript(script: string): boolean {
  const manifest = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts?: object };
  return Object.hasOwn(manifest.scripts ?? {}, script);
}

/** The closing summary: everything a person can open, the gRPC addresses, a token, the infrastructure. */
function summary(env: InfrastructureEnv, seconds: string): string {
  const rows: [string, string][] = [];
  const http = names.filter((name) => LOCAL_SERVICES[name].httpPort !== undefined);
  http.sort((a, b) => LOCAL_SERVICES[a].httpPort! - LOCAL_SERVICES[b].httpPort!);
  for (const name of http) rows.push([name, localHttpUrl(name)]);
  for (const page of LOCAL_PAGES) {
    rows.push([page.what, page.comesWith ? `comes with ${page.comesWith}` : localHttpUrl(page.service, page.path)]);
  }
  rows.push([
    "demo",
    `${demoSiteSummary()}; sign in on the agent console as one of them, on the wallboard as any supervisor`,
  ]);
  rows.push(["gRPC", names.map((name) => `${name} 127.0.0.1:${LOCAL_SERVICES[name].grpcPort}`).join(", ")]);
  rows.push([
    "dev token",
    hasRootScript(TOKEN_COMMAND.script)
      ? TOKEN_COMMAND.example
      : `\`${TOKEN_COMMAND.example}\` comes with ${TOKEN_COMMAND.comesWith}; until then the APIs take no token`,
  ]);
  rows.push([
    "infrastructure",
    Object.entries(env)
      .map(([name, value]) => `${name}=${String(value)}`)
      .join(" "),
  ]);
  const labelWidth = Math.max(...rows.map(([label]) => label.length));
  return [
    bold(`${READY_LINE} in ${seconds} s. Open:`),
    ...rows.map(([label, value]) => `  ${label.padEnd(labelWidth)}  ${value}`),
    "Every HTTP service has /healthz and /readyz; every gRPC server has reflection and grpc.health.v1.",
    "Ctrl-C stops everything.",
  ].join("\n");
}

const startedAt = performance.now();
const log = (line: string): void => say(`[infra] ${line}`);
try {
  await checkPorts();
  await runInfrastructure({
    log,
    onReady: async (env) => {
      // On Ctrl-C the terminal signals the services too, so they may exit before stopAll runs.
      let stopping = false;
      let ready = false;
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => (stopping = true));
      const children = new Map<ServiceName, ChildProcess>();
      const onExit = (name: ServiceName): void => {
        const child = children.get(name);
        // Before the summary, waitUntilReady reports the exit.
        if (ready && !stopping) say(`[start] ${name} exited (${child?.signalCode ?? child?.exitCode}) while running`);
      };
      // Each service's certificate, from the development CA in .cache/dev-ca (created on first start).
      const certificates = loadOrCreateDevCertificates();
      for (const name of names) children.set(name, startService(name, env, certificates, onExit));
      const stopAll = async (): Promise<void> => {
        stopping = true;
        await Promise.all([...children.values()].map(stopService));
      };
      try {
        await waitUntilReady(children);
        await seedDemoSite(`127.0.0.1:${LOCAL_SERVICES.acd.grpcPort}`, certificates);
        await seedDemoPortal(`http://127.0.0.1:${LOCAL_SERVICES.intake.adminHttpPort}`);
      } catch (error) {
        await stopAll();
        throw error;
      }
      ready = true;
      say(summary(env, ((performance.now() - startedAt) / 1000).toFixed(1)));
      return stopAll;
    },
  });
  say("[start] stopped");
} catch (error) {
  say(`[start] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
