import { Temporal } from "temporal-polyfill";
import { intervalBuckets, rangeBucket } from "./buckets";
import { queueFigures, type QueueFactsOfSession, type QueueFigureSettings } from "./queue-figures";
import { ratio } from "./statistics";

/** A team queue's figures from local midnight until now. */
export interface TeamDay {
  teamId: string;
  queued: number;
  answered: number;
  abandoned: number;
  /** answered within X ÷ (answered + abandoned − short abandoned); null when nothing counted yet. */
  serviceLevel: number | null;
}

/** One 15-minute interval of the day so far, over every queue of the site. */
export interface DayPoint {
  startMs: number;
  endMs: number;
  /** Entries in a queue at the interval's end (or now, for the current interval). */
  waiting: number;
  serviceLevel: number | null;
}

export interface WallboardDay {
  /** Local midnight of the site's day. */
  fromMs: number;
  teams: TeamDay[];
  points: DayPoint[];
}

/** Local midnight of the day `nowMs` falls in, in `timeZone`. */
export const localMidnight = (timeZone: string, nowMs: number): number =>
  Temporal.Instant.fromEpochMilliseconds(nowMs).toZonedDateTimeISO(timeZone).startOfDay().epochMilliseconds;

/**
 * The wallboard's day: service level today per team queue (the queue figures over [midnight, now)),
 * and per interval so far the site's service level (answered within X and its denominator summed
 * over the queues, never an average of ratios) and how many waited at the interval's end (an entry
 * waits from its entry until its end: answered, abandoned or requeued).
 */
export function wallboardDay(
  sessions: readonly QueueFactsOfSession[],
  timeZone: string,
  nowMs: number,
  settings: QueueFigureSettings,
): WallboardDay {
  const fromMs = localMidnight(timeZone, nowMs);
  const untilMs = nowMs + 1;
  const buckets = intervalBuckets(timeZone, fromMs, untilMs);
  const teams = queueFigures(sessions, rangeBucket(fromMs, untilMs), settings).flatMap(({ queue, ...f }) =>
    queue.kind === "team"
      ? [
          {
            teamId: queue.id,
            queued: f.queued,
            answered: f.answered,
            abandoned: f.abandoned,
            serviceLevel: f.serviceLevel,
          },
        ]
      : [],
  );
  const byStart = new Map<number, { within: number; counted: number }>();
  for (const f of queueFigures(sessions, buckets, settings)) {
    const sums = byStart.get(f.bucket.startMs) ?? { within: 0, counted: 0 };
    sums.within += f.answeredWithinX;
    sums.counted += f.answered + f.abandoned - f.shortAbandoned;
    byStart.set(f.bucket.startMs, sums);
  }
  const entries = sessions.flatMap((s) => s.entries);
  const points: DayPoint[] = [];
  for (let bucket = buckets.of(fromMs); bucket; bucket = buckets.of(bucket.endMs)) {
    const atMs = Math.min(bucket.endMs, nowMs);
    const sums = byStart.get(bucket.startMs);
    points.push({
      startMs: bucket.startMs,
      endMs: bucket.endMs,
      waiting: entries.filter((e) => e.enteredAtMs <= atMs && (e.endedAtMs === null || e.endedAtMs > atMs)).length,
      serviceLevel: sums ? ratio(sums.within, sums.counted) : null,
    });
  }
  return { fromMs, teams, points };
}
