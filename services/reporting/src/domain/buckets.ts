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

/** A local day of the site: its first instant and the instant one calendar day later. */
interface LocalDay {
  midnightMs: number;
  nextMidnightMs: number;
}

/**
 * The site's 15-minute intervals within [fromMs, toMs). They run in real time from local midnight to
 * local midnight and include their start instant (METRICS.md), so a day with a clock change has 92 or
 * 100 of them and the last one of a day ends at the next local midnight.
 *
 * The range's local midnights are found once: a time-zone conversion per looked-up instant took
 * most of a 30-day query's time (load-tests/README.md, reporting).
 */
export function intervalBuckets(timeZone: string, fromMs: number, toMs: number): Buckets {
  const days = localDays(timeZone, fromMs, toMs);
  return {
    of(atMs) {
      if (atMs < fromMs || atMs >= toMs) return null;
      const day = dayHolding(days, atMs);
      const startMs = day.midnightMs + Math.floor((atMs - day.midnightMs) / INTERVAL_MS) * INTERVAL_MS;
      return { startMs, endMs: Math.min(startMs + INTERVAL_MS, day.nextMidnightMs) };
    },
  };
}

/** Every local day overlapping [fromMs, toMs), in order; the first starts at or before fromMs. */
function localDays(timeZone: string, fromMs: number, toMs: number): LocalDay[] {
  const days: LocalDay[] = [];
  let date = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(timeZone).toPlainDate();
  for (;;) {
    // A PlainDate without a time is its start of day, as ZonedDateTime.startOfDay() gives it.
    const midnight = date.toZonedDateTime({ timeZone });
    if (days.length > 0 && midnight.epochMilliseconds >= toMs) return days;
    days.push({ midnightMs: midnight.epochMilliseconds, nextMidnightMs: midnight.add({ days: 1 }).epochMilliseconds });
    date = date.add({ days: 1 });
  }
}

/**
 * The day of the last midnight at or before `atMs` (binary search). That is the instant's local
 * date unless a clock is set back from after a midnight to before it (a clock set back at 24:00,
 * as Santiago's, is not): the unit test compares the two in zones that change at midnight.
 */
function dayHolding(days: readonly LocalDay[], atMs: number): LocalDay {
  let low = 0;
  let high = days.length - 1;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (days[middle]!.midnightMs <= atMs) low = middle;
    else high = middle - 1;
  }
  return days[low]!;
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
