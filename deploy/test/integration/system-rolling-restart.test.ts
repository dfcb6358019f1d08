import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  countWarnings,
  loadRunProblems,
  startPrivateInfrastructure,
  SYSTEM_SERVICES,
  SystemStack,
  underLoad,
  type PrivateInfrastructure,
  type SystemService,
} from "@handoff/testing";

/**
 * A rolling restart of the whole system under load: two replicas of every service on a private Redis,
 * Kafka and PostgreSQL, each replaced in turn, both ways a Deployment rolls:
 * - replica 0 in place (maxSurge 0, maxUnavailable 1): SIGTERM (the drain), then a new process on the
 *   same ports, waited ready (as Kubernetes' probes see it); the other replica serves alone meanwhile;
 * - replica 1 by surge, as the chart rolls (maxSurge 1, maxUnavailable 0): a new process starts beside
 *   it and is waited ready, then the old one leaves the balancer and gets SIGTERM; three replicas of
 *   the service run side by side for a while.
 * Customers (intake's public API) and reps
 * (the agent SDK) see no error: a lost answer is retried (customers with their start's Idempotency-Key,
 * as the widget does), and every retry is counted and printed with its cause. Afterwards no
 * acknowledged session is lost, none assigned twice, each ended once, no session exists that no
 * customer was answered (a retried start made none twice), and the events are complete on Kafka.
 */

/** A light load: ~2 customers/s on 6 reps busy ~0.8 s each (about 25 % utilised). */
const LOAD = { reps: 6, arrivalRatePerSecond: 2, meanHandleMs: 600, acceptDelayMs: [50, 300] as const };
/** A replica's drain ends well inside its termination grace (SHUTDOWN_TIMEOUT_MS, 10 s by default). */
const DRAIN_BOUND_MS = 10_000;
/** A new replica is ready within this (a start alone took up to 70 s on the shared 2-core machine). */
const READY_BOUND_MS = 90_000;

const figures: string[] = [];
const figure = (line: string) => {
  figures.push(line);
  console.log(`[system-rolling-restart] ${line}`);
};

let infra: PrivateInfrastructure;
let stack: SystemStack;

beforeAll(async () => {
  infra = await startPrivateInfrastructure();
  stack = await SystemStack.start(infra.env, { replicas: 2 });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  await infra?.stop();
  console.log(`[system-rolling-restart] figures:\n  ${figures.join("\n  ")}`);
}, 120_000);

/** The three longest steps of a replica's drain, from its "shutdown step done" log lines. */
function slowestSteps(output: readonly string[]): string {
  return output
    .flatMap((line) => {
      if (!line.includes('"shutdown step done"')) return [];
      const { step, ms } = JSON.parse(line) as { step: string; ms: number };
      return [{ step, ms }];
    })
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 3)
    .map(({ step, ms }) => `${step} ${ms} ms`)
    .join(", ");
}

describe("the whole system (2 replicas each) rolled under load", () => {
  it("replaces every replica of every service one by one, in place and by surge: no error for customers or reps", async () => {
    const steps: { replica: string; exitCode: number | null; stopMs: number; readyMs: number }[] = [];
    /** Warning lines of every process of the run (the drained ones' too), by service and message. */
    const warnings = new Map<string, number>();
    const run = await underLoad(
      stack,
      "rolling restart",
      { load: LOAD, seed: 300, beforeMs: 2_000, afterMs: 3_000, drainMs: 90_000, figure },
      async (center) => {
        for (const service of SYSTEM_SERVICES as readonly SystemService[])
          for (const index of [0, 1]) {
            const draining = stack.replica(service, index).process;
            const sentAt = performance.now();
            const surge = index === 1;
            const { exit, stopMs, readyMs } = surge
              ? await stack.surgeReplica(service, index)
              : await stack.restartReplica(service, index, "SIGTERM");
            steps.push({ replica: `${service}[${index}]`, exitCode: exit.code, stopMs, readyMs });
            countWarnings(draining.output, warnings, `${service}: `);
            // In place, the drain came first; by surge, the successor's start did.
            const exitedAt = surge ? performance.now() : sentAt + stopMs;
            const retries = (from: number, to: number) =>
              [...center.customerRetryCauses(from, to)].map(([cause, n]) => `${cause} × ${n}`).join("; ") || "none";
            figure(
              surge
                ? `${service}[${index}] by surge: successor ready ${Math.round(readyMs)} ms after its start, then ` +
                    `the old one drained and exited ${exit.code ?? exit.signal} in ${Math.round(stopMs)} ms (longest ` +
                    `steps: ${slowestSteps(draining.output)}); customer retries meanwhile: ${retries(sentAt, exitedAt)}`
                : `${service}[${index}] in place: drained and exited ${exit.code ?? exit.signal} in ` +
                    `${Math.round(stopMs)} ms (longest steps: ${slowestSteps(draining.output)}), new process ready ` +
                    `${Math.round(readyMs)} ms after its start; first offer after the SIGTERM ` +
                    `${Math.round(center.firstOfferAfter(sentAt) ?? NaN)} ms; customer retries of attempts sent ` +
                    `while it drained: ${retries(sentAt, exitedAt)}; while the other replica served alone: ` +
                    `${retries(exitedAt, performance.now())}`,
            );
          }
      },
    );
    for (const [line, n] of stack.warnings()) warnings.set(line, (warnings.get(line) ?? 0) + n);
    figure(
      `warnings logged: ${[...warnings]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12)
        .map(([w, n]) => `${w} × ${n}`)
        .join("; ")}`,
    );
    expect(loadRunProblems(run)).toEqual([]);
    const { center, report } = run;
    expect(Object.fromEntries(center.customerErrors()), "starts that failed after their retries").toEqual({});
    expect(Object.fromEntries(center.repErrors), "rep commands that failed after their retries").toEqual({});
    expect(center.violations, "what the reps' SDKs saw").toEqual([]);
    expect(report.rows.length, "sessions in PostgreSQL that no customer was answered").toBe(
      center.acknowledged().length,
    );
    for (const step of steps) {
      expect(step.exitCode, `${step.replica} drained within its bound (exit 0)`).toBe(0);
      expect(step.stopMs, `${step.replica} drain`).toBeLessThan(DRAIN_BOUND_MS);
      expect(step.readyMs, `${step.replica} ready again`).toBeLessThan(READY_BOUND_MS);
    }
  }, 600_000);
});
