// `npm run check:start` (run by .ci/run after the build): starts the system as `npm start` does,
// with its own fresh Redis, Kafka and PostgreSQL, waits until start-all prints its summary and a
// few seconds more (consumer groups join then), presses Ctrl-C, and fails if any line of the start
// or the shutdown is a warning or an error: a service log line at level warn or above, a line that
// is not a log line, anything a service wrote to stderr (Node warnings, stack traces), or a start-all
// line that reports a failure. Bounded: it gives up after READY_TIMEOUT_MS + SETTLE_MS + STOP_TIMEOUT_MS.
import { spawn } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { READY_LINE } from "./local-services.ts";

const root = path.resolve(import.meta.dirname, "..", "..");
/** A cold start on the 2-core CI machine takes about 15 s; Maven fetching Kafka's jars adds more. */
const READY_TIMEOUT_MS = 180_000;
/** After the summary: the services join their consumer groups and elect leaders in this window. */
const SETTLE_MS = 8_000;
const STOP_TIMEOUT_MS = 30_000;
/** pino's numeric level for warn. */
const PINO_WARN = 40;

interface Line {
  at: number;
  stream: "stdout" | "stderr";
  text: string;
}

/** Why a line counts as a warning or an error, or undefined when it is a clean line. */
export function problemWith(line: Line): string | undefined {
  if (line.stream === "stdout") {
    let entry: unknown;
    try {
      entry = JSON.parse(line.text);
    } catch {
      return "not a JSON log line";
    }
    const level = (entry as { level?: unknown }).level;
    if (typeof level !== "number") return "a log line without a level";
    return level >= PINO_WARN ? `log level ${level}` : undefined;
  }
  // stderr: start-all's own lines, its summary, and services' stderr prefixed with their name.
  if (/^(\[infra\]|\[start\]) /.test(line.text) || line.text.startsWith("  ")) {
    return /\b(warn(ing)?|error|fail(ed|s)?|cannot|exited|not ready|timed out)\b/i.test(line.text)
      ? "start-all reports a problem"
      : undefined;
  }
  if (/^(Every HTTP service|Ctrl-C stops everything)/.test(line.text)) return undefined;
  return "written to stderr";
}

async function main(): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_FORMAT: "json", NO_COLOR: "1" };
  // A clean start means fresh infrastructure: a warm shared Kafka would hide the coordinator retries.
  for (const variable of ["REDIS_URL", "REDIS_CLUSTER_NODES", "KAFKA_BROKERS", "DATABASE_URL", "FORCE_COLOR"]) {
    delete env[variable];
  }
  const startedAt = performance.now();
  const elapsed = (): number => Math.round(performance.now() - startedAt);
  // Its own process group, so the Ctrl-C below reaches start-all and the services as a terminal's would.
  const child = spawn(process.execPath, [path.join(root, "scripts", "infra", "start-all.ts")], {
    cwd: root,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const lines: Line[] = [];
  let readyAt: number | undefined;
  for (const stream of ["stdout", "stderr"] as const) {
    createInterface({ input: child[stream] }).on("line", (text) => {
      lines.push({ at: elapsed(), stream, text });
      if (readyAt === undefined && text.includes(READY_LINE)) readyAt = elapsed();
    });
  }
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(signal ?? code ?? -1)),
  );
  let exitStatus: number | string | undefined;
  void exited.then((status) => (exitStatus = status));
  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };

  const failures: string[] = [];
  while (readyAt === undefined && exitStatus === undefined && elapsed() < READY_TIMEOUT_MS) await sleep(100);
  if (readyAt === undefined) {
    failures.push(
      exitStatus === undefined
        ? `no "${READY_LINE}" line within ${READY_TIMEOUT_MS / 1000} s`
        : `start-all exited (${exitStatus}) before it was ready`,
    );
  } else {
    await sleep(SETTLE_MS);
  }
  const stopRequestedAt = elapsed();
  signalGroup("SIGINT");
  const stopTimer = new AbortController();
  const status = await Promise.race([
    exited,
    sleep(STOP_TIMEOUT_MS, "timeout" as const, { signal: stopTimer.signal }).catch(() => "cancelled" as const),
  ]);
  stopTimer.abort();
  if (status === "timeout") {
    signalGroup("SIGKILL");
    failures.push(`still running ${STOP_TIMEOUT_MS / 1000} s after Ctrl-C`);
  } else if (status !== 0) {
    failures.push(`start-all exited with ${status} after Ctrl-C`);
  }
  const stoppedAt = elapsed();

  for (const line of lines) {
    const problem = problemWith(line);
    if (problem) failures.push(`${(line.at / 1000).toFixed(1)} s ${line.stream} (${problem}): ${line.text}`);
  }
  const seconds = (ms: number | undefined): string => (ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`);
  const kafkaWaits = lines.filter(
    (line) => line.stream === "stdout" && line.text.includes('"msg":"waiting for '),
  ).length;
  console.log(
    `clean-start check: ready at ${seconds(readyAt)}, Ctrl-C at ${seconds(stopRequestedAt)}, ` +
      `stopped at ${seconds(stoppedAt)}; ${lines.length} lines (${kafkaWaits} Kafka start-up waits at info), ` +
      `${failures.length} problems`,
  );
  for (const failure of failures) console.log(`  ${failure}`);
  if (failures.length > 0) {
    console.log("full output:");
    for (const line of lines) console.log(`  ${line.stream === "stderr" ? "!" : " "} ${line.text}`);
  }
  return failures.length === 0 ? 0 : 1;
}

if (import.meta.main) process.exitCode = await main();
