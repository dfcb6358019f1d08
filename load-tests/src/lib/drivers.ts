import { setTimeout as sleep } from "node:timers/promises";
import { Samples } from "./stats";

/** Aborted on Ctrl-C (runScenario): every driver stops starting work. */
export const benchStop = new AbortController();

/** A loop whose operations fail faster than they succeed is measuring nothing; it stops after this many failures. */
const MAX_FAILURES = 1_000;

export interface ClosedLoopOptions {
  /** Operations in flight at once: each worker starts its next one when the last finished. */
  concurrency: number;
  /** Stop after this many operations... */
  maxCount: number;
  /** ...or after this long, whichever comes first. */
  maxMs: number;
}

export interface LoopResult {
  done: number;
  failed: number;
  elapsedMs: number;
  /** Whole-operation latency of the successful operations. */
  latency: Samples;
  firstError?: unknown;
}

export const perSecond = (result: LoopResult) => (result.done * 1000) / result.elapsedMs;

/** Closed-loop load: `concurrency` workers call `op` back to back until the count or the time is used up. */
export async function closedLoop(options: ClosedLoopOptions, op: (i: number) => Promise<void>): Promise<LoopResult> {
  const latency = new Samples();
  const started = performance.now();
  const deadline = started + options.maxMs;
  let next = 0;
  let done = 0;
  let failed = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < options.maxCount && performance.now() < deadline && !benchStop.signal.aborted) {
      if (failed >= MAX_FAILURES && failed > done) break;
      const i = next++;
      const opStarted = performance.now();
      try {
        await op(i);
        latency.add(performance.now() - opStarted);
        done++;
      } catch (error) {
        failed++;
        firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { done, failed, elapsedMs: performance.now() - started, latency, firstError };
}

export interface OpenLoopOptions {
  ratePerSecond: number;
  durationMs: number;
  /** Starts are skipped (and counted) rather than letting in-flight work grow without bound. */
  maxInFlight: number;
  /** How long to wait for the operations still in flight after the last start. */
  drainMs: number;
  /** Stops starting work before `durationMs` is up (a background load that ends with the phase it runs under). */
  stop?: AbortSignal;
}

export interface OpenLoopResult {
  started: number;
  done: number;
  failed: number;
  skipped: number;
  /** Operations still running when the drain time ran out. */
  abandoned: number;
  /** From the first start to the last. */
  sendMs: number;
  /** From the first start to the last completion (or the end of the drain). */
  elapsedMs: number;
  /** Worst delay of a start behind its schedule (an overloaded event loop shows here). */
  maxStartLagMs: number;
  firstError?: unknown;
}

/**
 * Open-loop load: starts `op` on a fixed schedule (`ratePerSecond`) whatever the latency, so a slow
 * system is not given time to catch up (no coordinated omission). `op` gets its scheduled start time
 * to measure latency from.
 */
export async function openLoop(
  options: OpenLoopOptions,
  op: (i: number, scheduledAt: number) => Promise<void>,
): Promise<OpenLoopResult> {
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1000);
  const interval = 1000 / options.ratePerSecond;
  let started = 0;
  let done = 0;
  let failed = 0;
  let skipped = 0;
  let inFlight = 0;
  let maxStartLagMs = 0;
  let firstError: unknown;
  const t0 = performance.now();
  let issued = 0;
  while (issued < total && !benchStop.signal.aborted && !options.stop?.aborted) {
    if (failed >= MAX_FAILURES && failed > done) break;
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - t0) / interval) + 1);
    for (; issued < due; issued++) {
      const scheduledAt = t0 + issued * interval;
      maxStartLagMs = Math.max(maxStartLagMs, now - scheduledAt);
      if (inFlight >= options.maxInFlight) {
        skipped++;
        continue;
      }
      started++;
      inFlight++;
      op(issued, scheduledAt).then(
        () => {
          done++;
          inFlight--;
        },
        (error: unknown) => {
          failed++;
          inFlight--;
          firstError ??= error;
        },
      );
    }
    await sleep(1);
  }
  const sendMs = performance.now() - t0;
  const drainDeadline = performance.now() + options.drainMs;
  while (inFlight > 0 && performance.now() < drainDeadline && !benchStop.signal.aborted) await sleep(1);
  const elapsedMs = performance.now() - t0;
  return { started, done, failed, skipped, abandoned: inFlight, sendMs, elapsedMs, maxStartLagMs, firstError };
}

/** Runs `op` over `0..count-1` with `concurrency` in flight (setup and fills, not measured ops). */
export async function parallel(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count && !benchStop.signal.aborted) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
