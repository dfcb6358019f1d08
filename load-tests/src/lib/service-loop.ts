import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LoopProbeReport } from "./loop-probe";
import { bytes, ms } from "./stats";

const REPORT_WAIT_MS = 5_000;

/**
 * The bench's side of `loop-probe.ts`: the environment that loads the probe into a service, and
 * `take()`, which asks the running service for its event-loop delay and GC pauses since the last take.
 */
export class ServiceLoop {
  private seq = 0;
  private pid: number | undefined;

  private constructor(readonly file: string) {}

  static create(service: string): ServiceLoop {
    return new ServiceLoop(path.join(tmpdir(), `loop-probe-${service}-${process.pid}.json`));
  }

  /** NODE_OPTIONS and LOOP_PROBE_FILE for the service, with `nodeOptions` of the scenario kept. */
  env(nodeOptions: string): Record<string, string> {
    const probe = path.join(__dirname, "loop-probe.js");
    return { NODE_OPTIONS: `--require ${probe} ${nodeOptions}`.trim(), LOOP_PROBE_FILE: this.file };
  }

  attach(pid: number): void {
    this.pid = pid;
  }

  /** What the service saw since the previous take (or its start); undefined when it did not answer. */
  async take(): Promise<LoopProbeReport | undefined> {
    if (this.pid === undefined) return undefined;
    process.kill(this.pid, "SIGUSR2");
    const until = performance.now() + REPORT_WAIT_MS;
    while (performance.now() < until) {
      if (existsSync(this.file)) {
        const report = JSON.parse(readFileSync(this.file, "utf8")) as LoopProbeReport;
        if (report.seq > this.seq) {
          this.seq = report.seq;
          return report;
        }
      }
      await sleep(10);
    }
    return undefined;
  }

  remove(): void {
    rmSync(this.file, { force: true });
  }
}

/** "event-loop delay p50 … p99 … max …; GC: 120 scavenges (total …, max …), 2 mark-compacts (…)". */
export function describeLoop(name: string, report: LoopProbeReport | undefined): string {
  if (!report) return `${name} event loop: no report`;
  const d = report.delay;
  const gc = Object.entries(report.gc)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, k]) => `${k.count} ${kind} (total ${ms(k.totalMs)}, max ${ms(k.maxMs)})`)
    .join(", ");
  return (
    `${name} event-loop delay p50 ${ms(d.p50)} p99 ${ms(d.p99)} p999 ${ms(d.p999)} max ${ms(d.max)}; ` +
    `GC pauses: ${gc || "none"}; V8 heap committed: young generation ${bytes(report.heap.young)}, ` +
    `the rest ${bytes(report.heap.old)}`
  );
}
