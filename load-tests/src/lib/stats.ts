/** Latency samples in milliseconds; keeps at most `limit` of them so a long run stays bounded in memory. */
export class Samples {
  private readonly values: number[] = [];
  private dropped = 0;

  constructor(private readonly limit = 2_000_000) {}

  /** A NaN (a latency that could not be measured) is left out; the caller counts those itself. */
  add(ms: number): void {
    if (Number.isNaN(ms)) return;
    if (this.values.length < this.limit) this.values.push(ms);
    else this.dropped++;
  }

  get count(): number {
    return this.values.length + this.dropped;
  }

  summary(): LatencySummary {
    return summarize(this.values);
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Nearest-rank percentile (p in 0..100) of ascending `sorted`; NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(values).sort();
  const asArray = sorted as unknown as number[];
  return {
    count: sorted.length,
    p50: percentile(asArray, 50),
    p99: percentile(asArray, 99),
    p999: percentile(asArray, 99.9),
    max: sorted.length ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** 12,345 */
export const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");

/** 3.21 ms, 0.412 ms, 41.2 ms */
export function ms(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  if (n >= 100) return `${n.toFixed(0)} ms`;
  if (n >= 10) return `${n.toFixed(1)} ms`;
  if (n >= 1) return `${n.toFixed(2)} ms`;
  return `${n.toFixed(3)} ms`;
}

/** 18.4 µs */
export const us = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} µs` : "n/a");

/** 512 B, 3.4 MiB */
export function bytes(n: number): string {
  if (!Number.isFinite(n)) return "n/a";
  const abs = Math.abs(n);
  if (abs >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
  if (abs >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  if (abs >= 10 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

export const ratio = (n: number) => (Number.isFinite(n) ? `${n.toFixed(2)}×` : "n/a");

export const latencyLine = (s: LatencySummary) =>
  `p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  p999 ${ms(s.p999)}  max ${ms(s.max)}  (n=${int(s.count)})`;

/**
 * "target ≥ 5,000/s: met" — printed beside a figure, never asserted (load tests report, they do not
 * fail on timings).
 */
export function target(actual: number, comparison: "≥" | "≤", goal: number, shownGoal: string): string {
  if (!Number.isFinite(actual)) return `[target ${comparison} ${shownGoal}: no figure]`;
  const met = comparison === "≥" ? actual >= goal : actual <= goal;
  return `[target ${comparison} ${shownGoal}: ${met ? "met" : "MISSED"}]`;
}

/** Prints rows as aligned columns (first column left-aligned, the others right-aligned). */
export function table(rows: readonly (readonly string[])[], indent = "  "): string {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map(
      (row) =>
        indent + row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join("  "),
    )
    .join("\n");
}

/** A section title in the printed report. */
export const heading = (title: string) => `\n== ${title} ${"=".repeat(Math.max(3, 96 - title.length))}`;

/** An error's message for a report line. */
export const describeError = (error: unknown) => (error instanceof Error ? error.message : JSON.stringify(error));
