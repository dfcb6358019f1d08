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
import type { Temporal } from "temporal-polyfill";
import { WEEKDAYS } from "./schedule-schema";
import type { DayHours, Schedule } from "./schedule-schema";
import { localDateAt, wallClockInstant } from "./wall-clock";

export const HORIZON_DAYS = 366;

/** The portal at an instant: open with the instant it closes, or closed with the instant it opens. */
export type OpenState = { open: true; closesAtMs: number | null } | { open: false; opensAtMs: number | null };

interface OpenRange {
  startMs: number;
  endMs: number;
}

export const hoursOn = (schedule: Schedule, date: Temporal.PlainDate): DayHours => {
  const day = date.toString();
  const exception = schedule.exceptions.find((entry) => entry.date === day);
  if (exception) return exception.hours;
  if (schedule.holidays.some((holiday) => holiday.date === day)) return [];
  return schedule.weekly[WEEKDAYS[date.dayOfWeek - 1]!];
};

/** The open ranges of `dayCount` days from `firstDay`, in time order; ranges lost in a skipped hour are left out. */
function* openRanges(schedule: Schedule, firstDay: Temporal.PlainDate, dayCount: number): Generator<OpenRange> {
  for (let offset = 0; offset < dayCount; offset++) {
    const date = firstDay.add({ days: offset });
    for (const { opens, closes } of hoursOn(schedule, date)) {
      const startMs = wallClockInstant(schedule.timeZone, date, opens);
      const endMs = wallClockInstant(schedule.timeZone, date, closes);
      if (startMs < endMs) yield { startMs, endMs };
    }
  }
}

export const isOpenAt = (schedule: Schedule | null, atMs: number): boolean => {
  if (schedule === null) return true;
  // An instant belongs to its local date or, where clocks go back across midnight, to the next one.
  for (const range of openRanges(schedule, localDateAt(schedule.timeZone, atMs), 2)) {
    if (range.startMs > atMs) return false;
    if (atMs < range.endMs) return true;
  }
  return false;
};

/** The first instant at or after `atMs` at which the portal is open: `atMs` itself when open then. */
export const opensAt = (schedule: Schedule | null, atMs: number): number | null => {
  if (schedule === null) return atMs;
  for (const range of openRanges(schedule, localDateAt(schedule.timeZone, atMs), HORIZON_DAYS + 1)) {
    if (range.endMs > atMs) return Math.max(range.startMs, atMs);
  }
  return null;
};

/** The first instant at or after `atMs` at which the portal is closed: `atMs` itself when closed then. */
export const closesAt = (schedule: Schedule | null, atMs: number): number | null => {
  if (schedule === null) return null;
  const firstDay = localDateAt(schedule.timeZone, atMs);
  const horizonEndMs = wallClockInstant(schedule.timeZone, firstDay.add({ days: HORIZON_DAYS + 1 }), "00:00");
  let openUntilMs = atMs;
  for (const range of openRanges(schedule, firstDay, HORIZON_DAYS + 1)) {
    if (range.endMs <= openUntilMs) continue;
    if (range.startMs > openUntilMs) return openUntilMs;
    openUntilMs = range.endMs;
  }
  return openUntilMs >= horizonEndMs ? null : openUntilMs;
};

export const openStateAt = (schedule: Schedule | null, atMs: number): OpenState => {
  const closesAtMs = closesAt(schedule, atMs);
  return closesAtMs === atMs ? { open: false, opensAtMs: opensAt(schedule, atMs) } : { open: true, closesAtMs };
};
