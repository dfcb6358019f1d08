import { readFileSync } from "node:fs";
import { cpus } from "node:os";
// Not the package index: it also exports the vitest lifecycle suite, which loads only under vitest.
import { processCpuSeconds } from "@handoff/testing/dist/process-cpu";
import { bytes } from "./stats";

/** Linux reports process CPU in clock ticks; USER_HZ is 100 on every mainstream kernel build. */
const TICKS_PER_SECOND = 100;

/** The bench process's own memory. */
export function benchMemory(): string {
  const m = process.memoryUsage();
  return `rss ${bytes(m.rss)}, heap used ${bytes(m.heapUsed)} of ${bytes(m.heapTotal)}`;
}

/** VmRSS and VmHWM (peak RSS) of another process, from /proc/<pid>/status; undefined once it is gone. */
export function processMemory(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;
    return { rss: kib("VmRSS"), peak: kib("VmHWM") };
  } catch {
    return undefined;
  }
}

export function describeProcessMemory(pid: number): string {
  const m = processMemory(pid);
  return m ? `rss ${bytes(m.rss)} (peak ${bytes(m.peak)})` : "n/a (process gone)";
}

/** Busy CPU seconds of the whole machine (every core), from /proc/stat. */
function machineBusySeconds(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / TICKS_PER_SECOND;
}

/**
 * Where the machine's CPU went during a phase: this process, the named processes, and the rest
 * (Kafka's JVM, the OS). Shown in % of one core, so a 2-core machine tops out at 200%.
 */
export class CpuSplit {
  private readonly startedAt = performance.now();
  private readonly bench = process.cpuUsage();
  private readonly others: Map<string, { pid: number; start: number }>;
  private readonly machine = machineBusySeconds();

  constructor(pids: Record<string, number | undefined>) {
    this.others = new Map(
      Object.entries(pids)
        .filter((entry): entry is [string, number] => entry[1] !== undefined)
        .map(([name, pid]) => [name, { pid, start: processCpuSeconds(pid) }]),
    );
  }

  /** CPU µs per unit of work of this process and each named one: "bench 410 µs, acd 620 µs, redis 180 µs". */
  perUnit(units: number, unit: string): string {
    const used = process.cpuUsage(this.bench);
    const parts = [`bench ${Math.round((used.user + used.system) / units)} µs`];
    for (const [name, { pid, start }] of this.others) {
      parts.push(`${name} ${Math.round(((processCpuSeconds(pid) - start) * 1e6) / units)} µs`);
    }
    return `cpu per ${unit}: ${parts.join(", ")}`;
  }

  /** Wall seconds since the split started and CPU seconds each named process (and "bench") used in them. */
  usage(): { wallSeconds: number; cpuSeconds: Record<string, number> } {
    const used = process.cpuUsage(this.bench);
    const cpuSeconds: Record<string, number> = { bench: (used.user + used.system) / 1e6 };
    for (const [name, { pid, start }] of this.others) cpuSeconds[name] = processCpuSeconds(pid) - start;
    return { wallSeconds: (performance.now() - this.startedAt) / 1000, cpuSeconds };
  }

  describe(): string {
    const wall = (performance.now() - this.startedAt) / 1000;
    const pct = (seconds: number) => `${Math.round((100 * seconds) / wall)}%`;
    const used = process.cpuUsage(this.bench);
    const benchSeconds = (used.user + used.system) / 1e6;
    let known = benchSeconds;
    const parts = [`bench ${pct(benchSeconds)}`];
    for (const [name, { pid, start }] of this.others) {
      const seconds = processCpuSeconds(pid) - start;
      if (Number.isFinite(seconds)) known += seconds;
      parts.push(`${name} ${pct(seconds)}`);
    }
    const machine = machineBusySeconds() - this.machine;
    parts.push(`rest (kafka, os) ${pct(Math.max(0, machine - known))}`);
    return `cpu (% of one core, ${cpus().length} cores): ${parts.join(", ")}`;
  }
}

/** This process's soft limit of open files (children inherit it), from /proc/self/limits. */
export function openFileLimit(): number {
  const limits = readFileSync("/proc/self/limits", "utf8");
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];
  return soft === undefined || soft === "unlimited" ? Number.POSITIVE_INFINITY : Number(soft);
}
