import { Temporal } from "temporal-polyfill";

/** A span of real time a figure is reported for: [startMs, endMs). */
export interface Bucket {
  startMs: number;
  endMs: number;
}

/** How event times fall into buckets: a site's 15-minute intervals, or one whole range. */
export interface Buckets {
  /** The bucket holding `atMs`, or null outside the reported range. */
  of(atMs: number): Bucket | null;
}

export const INTERVAL_MS = 15 * 60_000;

/**
 * The site's 15-minute intervals within [fromMs, toMs). They run in real time from local midnight to
 * local midnight and include their start instant (METRICS.md), so a day with a clock change has 92 or
 * 100 of them and the last one of a day ends at the next local midnight.
 */
export function intervalBuckets(timeZone: string, fromMs: number, toMs: number): Buckets {
  return {
    of(atMs) {
      if (atMs < fromMs || atMs >= toMs) return null;
      const zoned = Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(timeZone);
      const midnight = zoned.startOfDay().epochMilliseconds;
      const nextMidnight = zoned.startOfDay().add({ days: 1 }).epochMilliseconds;
      const startMs = midnight + Math.floor((atMs - midnight) / INTERVAL_MS) * INTERVAL_MS;
      return { startMs, endMs: Math.min(startMs + INTERVAL_MS, nextMidnight) };
    },
  };
}

/** One bucket for a whole range: range totals are recomputed from the facts, never averaged from intervals. */
export function rangeBucket(fromMs: number, toMs: number): Buckets {
  const bucket = { startMs: fromMs, endMs: toMs };
  return { of: (atMs) => (atMs >= fromMs && atMs < toMs ? bucket : null) };
}

/** The start of every interval of the local day `date` (YYYY-MM-DD) in `timeZone`. */
export function dayIntervalStarts(timeZone: string, date: string): number[] {
  const day = Temporal.PlainDate.from(date);
  const from = day.toZonedDateTime({ timeZone }).epochMilliseconds;
  const to = day.add({ days: 1 }).toZonedDateTime({ timeZone }).epochMilliseconds;
  const buckets = intervalBuckets(timeZone, from, to);
  const starts: number[] = [];
  for (let at = from; at < to; at = buckets.of(at)!.endMs) starts.push(at);
  return starts;
}

/** The pieces of [startMs, endMs) in each bucket, for durations split at bucket boundaries. */
export function splitSpan(buckets: Buckets, startMs: number, endMs: number): { bucket: Bucket; ms: number }[] {
  const pieces: { bucket: Bucket; ms: number }[] = [];
  let at = startMs;
  while (at < endMs) {
    const bucket = buckets.of(at);
    if (!bucket) break;
    const until = Math.min(bucket.endMs, endMs);
    pieces.push({ bucket, ms: until - at });
    at = until;
  }
  return pieces;
}
