import { ContactCenter, type ContactCenterOptions } from "./contact-center";
import { checkSystemInvariants, type InvariantReport } from "./system-invariants";
import type { SystemStack } from "./system-stack";

export interface LoadRunOptions {
  load: Omit<ContactCenterOptions, "seed">;
  seed: number;
  /** Load before the disturbance, and after it ended. */
  beforeMs: number;
  afterMs: number;
  /** Every acknowledged session has ended within this after the load stops. */
  drainMs: number;
  /** Where the run's figures go (printed by the test). */
  figure: (line: string) => void;
}

/** What one run saw: the customers' and reps' side, and the invariants checked against the stores. */
export interface LoadRun {
  center: ContactCenter;
  report: InvariantReport;
  /** Acknowledged sessions still open after the drain. */
  open: string[];
}

/**
 * A new site with reps online and customers arriving while `disturb` runs (and `beforeMs`/`afterMs`
 * around it), then every acknowledged session served to its end and the invariants checked. The
 * run's line of figures (sessions, retries, failures, Kafka copies) goes to `figure`.
 */
export async function underLoad(
  stack: SystemStack,
  name: string,
  options: LoadRunOptions,
  disturb: (center: ContactCenter) => Promise<void>,
): Promise<LoadRun> {
  const center = await ContactCenter.open(stack, { ...options.load, seed: options.seed });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  try {
    const runStartedAtMs = Date.now();
    const stopArrivals = new AbortController();
    const arrivals = center.arrive(Number.POSITIVE_INFINITY, 2_000, stopArrivals.signal);
    await sleep(options.beforeMs);
    await disturb(center);
    await sleep(options.afterMs);
    stopArrivals.abort();
    await arrivals;
    const open = await center.drain(options.drainMs);
    const report = await checkSystemInvariants(center, { runStartedAtMs });
    if (open.length > 0) {
      const states = report.rows
        .filter((row) => open.includes(row.sessionId))
        .map((row) => `${row.sessionId} ${row.state} rep ${row.repId} offers at ${row.firstOfferAtMs}`);
      options.figure(`${name}: still open after the drain: ${states.join("; ")}`);
    }
    const count = (map: Map<string, number>) => [...map].map(([e, n]) => `${e} × ${n}`).join("; ") || "none";
    options.figure(
      `${name}: ${center.acknowledged().length} sessions acknowledged of ${center.starts.length} arrivals ` +
        `(${center.toldNoRepAvailable().length} told no rep is available); ` +
        `customer retries ${center.customerRetries()} (${count(center.customerRetryCauses())}), failed starts: ` +
        `${count(center.customerErrors())}; rep retries ${center.repRetries}, rep errors ${count(center.repErrors)}; ` +
        `rep socket closes ${count(new Map([...center.socketCloses].map(([code, n]) => [String(code), n])))}; ` +
        `kafka copies ${report.kafka.read} (${report.kafka.duplicates} duplicates)`,
    );
    return { center, report, open };
  } finally {
    await center.close();
  }
}

/**
 * What makes a run not whole: too few sessions to prove anything, an acknowledged session left open,
 * an invariant broken. Empty when the run is whole.
 */
export function loadRunProblems({ center, report, open }: LoadRun, minAcknowledged = 6): string[] {
  const problems: string[] = [];
  if (center.acknowledged().length < minAcknowledged)
    problems.push(`only ${center.acknowledged().length} sessions acknowledged (at least ${minAcknowledged} needed)`);
  if (open.length > 0) problems.push(`acknowledged sessions still open after the drain: ${open.join(", ")}`);
  return [...problems, ...report.violations];
}
