/**
 * Is a portal open at an instant, when does it close, when does it open next.
 *
 * Rules (rule 5 of ARCHITECTURE §4: outside business hours only session keys start sessions, and the
 * portal says when it opens):
 * 1. A site without a schedule (`null`) is always open.
 * 2. A date's hours are, first found: its exception's hours (an empty list closes the day), nothing if
 *    it is a holiday, else its weekday's hours. So an exception overrides a holiday on the same date.
 * 3. Dates and weekdays are those of the schedule's time zone. Each interval is open from the instant
 *    its `opens` time stands for to the instant its `closes` time stands for, by wall-clock.ts: the
 *    first time the clocks show that time or pass it. Hence across daylight-saving changes:
 *    - spring forward: an interval inside the skipped hour (02:00–03:00 in Berlin) is not open at all;
 *      one that crosses it (01:30–04:00) opens at 01:30 and closes at 04:00 local, 1.5 hours of real time;
 *    - fall back: the repeated hour counts once, at its first pass: 02:00–02:30 is open from 02:00 to
 *      02:30 summer time, not again in winter time; 01:00–04:00 is open 4 hours of real time.
 * 4. Open stretches are followed across touching intervals and across midnight ("24:00" then "00:00"),
 *    so a portal open 22:00–24:00 and 00:00–06:00 the next day closes at 06:00.
 * 5. Searches look HORIZON_DAYS ahead of the instant's local date: `opensAt` answers null when the
 *    portal does not open within it, `closesAt` null when the portal stays open throughout it.
 */
import { Temporal } from "temporal-polyfill";
import { WEEKDAYS } from "./schedule-schema";
import type { DayHours, Schedule } from "./schedule-schema";
import { wallClockAt, wallClockInstant } from "./wall-clock";

export const HORIZON_DAYS = 366;

/** The portal at an instant: open with the instant it closes, or closed with the instant it opens. */
export type OpenState = { open: true; closesAtMs: number | null } | { open: false; opensAtMs: number | null };

const ONE_DAY = Temporal.Duration.from({ days: 1 });

/** An interval of a date's hours, with the date's offset in days from the first date searched. */
interface DatedInterval {
  date: Temporal.PlainDate;
  day: number;
  opens: string;
  closes: string;
}

const hoursOn = (schedule: Schedule, date: Temporal.PlainDate): DayHours => {
  const isoDate = date.toString();
  const exception = schedule.exceptions.find((entry) => entry.date === isoDate);
  if (exception) return exception.hours;
  if (schedule.holidays.some((holiday) => holiday.date === isoDate)) return [];
  return schedule.weekly[WEEKDAYS[date.dayOfWeek - 1]!];
};

/**
 * The intervals of the `dayCount` days from the local date at `atMs`, in wall-clock order (hence in time
 * order), less those of that date the clocks have shown the closing time of by `atMs` (they are over).
 */
function* intervalsFrom(schedule: Schedule, atMs: number, dayCount: number): Generator<DatedInterval> {
  // A site closed until further notice would otherwise walk the whole horizon for nothing.
  const hasHours =
    WEEKDAYS.some((weekday) => schedule.weekly[weekday].length > 0) ||
    schedule.exceptions.some((exception) => exception.hours.length > 0);
  if (!hasHours) return;
  const now = wallClockAt(schedule.timeZone, atMs);
  let date = now.date;
  for (let day = 0; day < dayCount; day++, date = date.add(ONE_DAY)) {
    for (const { opens, closes } of hoursOn(schedule, date)) {
      if (day === 0 && closes <= now.time) continue;
      yield { date, day, opens, closes };
    }
  }
}

const opensMs = (schedule: Schedule, interval: DatedInterval): number =>
  wallClockInstant(schedule.timeZone, interval.date, interval.opens);
const closesMs = (schedule: Schedule, interval: DatedInterval): number =>
  wallClockInstant(schedule.timeZone, interval.date, interval.closes);

/** `next` opens on the wall clock where `previous` closes: the same instant, whatever the zone does. */
const touches = (previous: DatedInterval, next: DatedInterval): boolean =>
  next.day === previous.day
    ? next.opens === previous.closes
    : next.day === previous.day + 1 && previous.closes === "24:00" && next.opens === "00:00";

export const isOpenAt = (schedule: Schedule | null, atMs: number): boolean => {
  if (schedule === null) return true;
  // An instant belongs to its local date or, where clocks go back across midnight, to the next one.
  for (const interval of intervalsFrom(schedule, atMs, 2)) {
    if (opensMs(schedule, interval) > atMs) return false;
    if (atMs < closesMs(schedule, interval)) return true;
  }
  return false;
};

/** The first instant at or after `atMs` at which the portal is open: `atMs` itself when open then. */
export const opensAt = (schedule: Schedule | null, atMs: number): number | null => {
  if (schedule === null) return atMs;
  for (const interval of intervalsFrom(schedule, atMs, HORIZON_DAYS + 1)) {
    const endMs = closesMs(schedule, interval);
    if (endMs <= atMs) continue;
    const startMs = opensMs(schedule, interval);
    // An interval lost in a skipped hour opens and closes at the same instant: never open.
    if (startMs < endMs) return Math.max(startMs, atMs);
  }
  return null;
};

/**
 * The first instant at or after `atMs` at which the portal is closed: `atMs` itself when closed then.
 * Intervals that touch on the wall clock are joined without converting their times, so following a
 * round-the-clock schedule to the horizon costs no time-zone conversion per day.
 */
export const closesAt = (schedule: Schedule | null, atMs: number): number | null => {
  if (schedule === null) return null;
  let open: DatedInterval | null = null;
  for (const interval of intervalsFrom(schedule, atMs, HORIZON_DAYS + 1)) {
    if (open === null) {
      if (opensMs(schedule, interval) > atMs) return atMs;
      if (atMs < closesMs(schedule, interval)) open = interval;
    } else if (touches(open, interval) || opensMs(schedule, interval) <= closesMs(schedule, open)) {
      // Joined: touching, or apart on the wall clock only because both ends fall into the same skipped hour.
      open = interval;
    } else {
      return closesMs(schedule, open);
    }
  }
  if (open === null) return atMs;
  return open.day === HORIZON_DAYS && open.closes === "24:00" ? null : closesMs(schedule, open);
};

export const openStateAt = (schedule: Schedule | null, atMs: number): OpenState => {
  const closesAtMs = closesAt(schedule, atMs);
  return closesAtMs === atMs ? { open: false, opensAtMs: opensAt(schedule, atMs) } : { open: true, closesAtMs };
};
