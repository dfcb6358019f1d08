/**
 * Local wall-clock times of a time zone, mapped to instants (epoch milliseconds) through Temporal.
 *
 * The one rule: a local time on a date stands for the FIRST instant at which the zone's clocks show that
 * time or a later one on that date.
 * - A time that exists once is that instant.
 * - A time repeated when clocks go back (02:30 on a fall-back night in Berlin) is its first occurrence.
 * - A time skipped when clocks go forward (02:30 on a spring-forward night in Berlin) is the instant of
 *   the jump, when the clocks pass it (03:00 CEST). Temporal itself would move it forward by the length
 *   of the gap (to 03:30), which would open a portal for half an hour its hours never named.
 * - "24:00" is the start of the next day, so an interval ending 24:00 and one starting 00:00 the next day
 *   touch.
 * The mapping never decreases as the time increases, so intervals stay ordered and never overlap.
 */
import { Temporal } from "temporal-polyfill";

/** What the clocks of `timeZone` show at `atMs`: the date and the time to the minute ("HH:MM"). */
export const wallClockAt = (timeZone: string, atMs: number): { date: Temporal.PlainDate; time: string } => {
  const zoned = Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(timeZone);
  return { date: zoned.toPlainDate(), time: zoned.toPlainTime().toString({ smallestUnit: "minute" }) };
};

/** The first instant at which the clocks of `timeZone` show `time` ("HH:MM" or "24:00") or later on `date`. */
export const wallClockInstant = (timeZone: string, date: Temporal.PlainDate, time: string): number => {
  if (time === "24:00") return wallClockInstant(timeZone, date.add({ days: 1 }), "00:00");
  const wall = date.toPlainDateTime(Temporal.PlainTime.from(time));
  const earliest = wall.toZonedDateTime(timeZone, { disambiguation: "earlier" });
  if (Temporal.PlainDateTime.compare(earliest.toPlainDateTime(), wall) === 0) return earliest.epochMilliseconds;
  // Skipped: `earliest` is `time` read with the offset after the jump, which falls before the jump.
  const jump = earliest.getTimeZoneTransition("next");
  if (jump === null) throw new Error(`no clock change in ${timeZone} after a skipped local time ${wall.toString()}`);
  return jump.epochMilliseconds;
};
