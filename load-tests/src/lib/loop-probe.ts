/*
 * Preloaded into a service by a scenario (NODE_OPTIONS="--require <this file>", see service-loop.ts):
 * records the service's event-loop delay and its garbage-collection pauses. On SIGUSR2 it writes what
 * it saw since the previous SIGUSR2 to LOOP_PROBE_FILE as JSON and starts over. Part of the bench, never
 * of a service.
 */
import { renameSync, writeFileSync } from "node:fs";
import { constants, monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks";
import { getHeapSpaceStatistics } from "node:v8";

/** What one SIGUSR2 reports (service-loop.ts reads it). */
export interface LoopProbeReport {
  seq: number;
  /** Event-loop delay in ms, sampled every `RESOLUTION_MS`. */
  delay: { p50: number; p99: number; p999: number; max: number };
  /** GC pauses by kind (scavenge, mark-compact, incremental, weak callbacks). */
  gc: Record<string, { count: number; totalMs: number; maxMs: number }>;
  /** Committed bytes of V8's young generation and the rest of the heap, at the report. */
  heap: { young: number; old: number };
}

const RESOLUTION_MS = 1;
const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "scavenge",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "mark-compact",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak callbacks",
};

const file = process.env.LOOP_PROBE_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  let gc: LoopProbeReport["gc"] = {};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = GC_KINDS[(entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1] ?? "other";
      const k = (gc[kind] ??= { count: 0, totalMs: 0, maxMs: 0 });
      k.count++;
      k.totalMs += entry.duration;
      k.maxMs = Math.max(k.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ["gc"] });
  let seq = 0;
  process.on("SIGUSR2", () => {
    const spaces = getHeapSpaceStatistics();
    const young = spaces.filter((s) => s.space_name.startsWith("new")).reduce((sum, s) => sum + s.space_size, 0);
    const all = spaces.reduce((sum, s) => sum + s.space_size, 0);
    const ms = (ns: number) => ns / 1e6;
    const report: LoopProbeReport = {
      seq: ++seq,
      delay: {
        p50: ms(delay.percentile(50)),
        p99: ms(delay.percentile(99)),
        p999: ms(delay.percentile(99.9)),
        max: ms(delay.max),
      },
      gc,
      heap: { young, old: all - young },
    };
    writeFileSync(`${file}.tmp`, JSON.stringify(report));
    renameSync(`${file}.tmp`, file);
    delay.reset();
    gc = {};
  });
}
