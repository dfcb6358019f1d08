/**
 * A site's business hours, as an administrator writes them. The rules that turn them into "open at this
 * instant" are in business-hours.ts.
 *
 * - `timeZone` is an IANA zone name ("Europe/Berlin"); offsets such as "+01:00" are refused because they
 *   know nothing of daylight saving.
 * - `weekly` gives each weekday's hours as intervals of local time, `opens` inclusive and `closes`
 *   exclusive, sorted and not overlapping (one may close when the next opens). "24:00" closes at the
 *   end of the day; hours past midnight are written on the next day ("22:00–24:00" then "00:00–06:00"),
 *   and the two count as one open stretch. A weekday left out is closed.
 * - `holidays` are dates closed all day, `exceptions` dates with other hours (`hours: []` closes that
 *   day). An exception overrides both the weekly hours and a holiday on its date.
 *
 * A site without a schedule is always open (the site config leaves `schedule` out); the functions of
 * business-hours.ts take `null` for it.
 */
import { Temporal } from "temporal-polyfill";
import { z } from "zod";

export const MAX_INTERVALS_PER_DAY = 8;
export const MAX_HOLIDAYS = 200;
export const MAX_EXCEPTIONS = 200;
const MAX_NAME_LENGTH = 100;

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const isNamedTimeZone = (name: string): boolean => {
  // Offset zones ("+01:00", "-05") are valid Temporal zones but not IANA names.
  if (/^[+-]/.test(name)) return false;
  try {
    Temporal.Instant.fromEpochMilliseconds(0).toZonedDateTimeISO(name);
    return true;
  } catch {
    return false;
  }
};

export const timeZoneField = z
  .string()
  .max(64)
  .refine(isNamedTimeZone, { error: "must be an IANA time zone such as Europe/Berlin" })
  .describe("IANA time zone of the hours, e.g. Europe/Berlin");

const opensTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "must be HH:MM from 00:00 to 23:59")
  .describe("local time the interval opens, inclusive");
const closesTime = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "must be HH:MM from 00:00 to 24:00")
  .describe("local time the interval closes, exclusive; 24:00 is the end of the day");

export const openingIntervalSchema = z
  .strictObject({ opens: opensTime, closes: closesTime })
  .refine(({ opens, closes }) => opens < closes, { error: "must be after opens", path: ["closes"] });

/** One day's hours: sorted, not overlapping, bounded. "HH:MM" strings compare like the times they name. */
export const dayHoursSchema = z
  .array(openingIntervalSchema)
  .max(MAX_INTERVALS_PER_DAY)
  .superRefine((hours, ctx) => {
    for (let i = 1; i < hours.length; i++) {
      const previous = hours[i - 1]!;
      const current = hours[i]!;
      if (current.opens < previous.closes) {
        ctx.addIssue({
          code: "custom",
          path: [i, "opens"],
          message: `must not be before the previous interval closes (${previous.closes}); intervals are sorted and do not overlap`,
        });
      }
    }
  });

const isoDate = z.iso.date();
const name = z.string().trim().min(1).max(MAX_NAME_LENGTH);

export const holidaySchema = z.strictObject({ date: isoDate, name });

export const scheduleExceptionSchema = z.strictObject({
  date: isoDate,
  hours: dayHoursSchema.describe("the hours that day instead of the usual ones; empty: closed all day"),
  reason: name.optional(),
});

const weeklyHoursSchema = z.strictObject(
  Object.fromEntries(WEEKDAYS.map((day) => [day, dayHoursSchema.default([])])) as Record<
    Weekday,
    z.ZodDefault<typeof dayHoursSchema>
  >,
);

const uniqueDates =
  (what: string) =>
  (entries: readonly { date: string }[], ctx: z.RefinementCtx): void => {
    const seen = new Set<string>();
    entries.forEach(({ date }, i) => {
      if (seen.has(date))
        ctx.addIssue({ code: "custom", path: [i, "date"], message: `${what} ${date} is listed twice` });
      seen.add(date);
    });
  };

export const scheduleSchema = z.strictObject({
  timeZone: timeZoneField,
  weekly: weeklyHoursSchema.describe("each weekday's hours; a weekday left out is closed"),
  holidays: z
    .array(holidaySchema)
    .max(MAX_HOLIDAYS)
    .superRefine(uniqueDates("holiday"))
    .default([])
    .describe("dates closed all day, unless an exception gives them hours"),
  exceptions: z
    .array(scheduleExceptionSchema)
    .max(MAX_EXCEPTIONS)
    .superRefine(uniqueDates("exception"))
    .default([])
    .describe("dates with other hours than usual, holidays included"),
});

export type OpeningInterval = z.infer<typeof openingIntervalSchema>;
export type DayHours = z.infer<typeof dayHoursSchema>;
export type Holiday = z.infer<typeof holidaySchema>;
export type ScheduleException = z.infer<typeof scheduleExceptionSchema>;
/** A validated schedule (defaults applied). */
export type Schedule = z.infer<typeof scheduleSchema>;
/** A schedule as an administrator may send it (empty days and lists may be left out). */
export type ScheduleInput = z.input<typeof scheduleSchema>;
