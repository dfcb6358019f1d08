import { Temporal } from "temporal-polyfill";
import type { OpenState } from "../../src/domain/business-hours";
import { scheduleSchema } from "../../src/domain/schedule-schema";
import type { OpeningInterval, Schedule, ScheduleInput } from "../../src/domain/schedule-schema";

/** A schedule through the schema, so every fixture is one an administrator could save. */
export const schedule = (input: ScheduleInput): Schedule => scheduleSchema.parse(input);

/** hours("08:00–12:00", "13:00–17:30"): a day's intervals written as they are spoken. */
export const hours = (...spans: string[]): OpeningInterval[] =>
  spans.map((span) => {
    const [opens, closes] = span.split("–") as [string, string];
    return { opens, closes };
  });

/** An instant written with its offset, so a test says which side of a clock change it means. */
export const instant = (isoWithOffset: string): number => Temporal.Instant.from(isoWithOffset).epochMilliseconds;

/** An instant as the local time and offset of `timeZone`, e.g. "2026-03-29T03:00+02:00". */
export const local = (atMs: number, timeZone: string): string =>
  Temporal.Instant.fromEpochMilliseconds(atMs)
    .toZonedDateTimeISO(timeZone)
    .toString({ timeZoneName: "never", smallestUnit: "minute" });

/** An open state as a sentence, e.g. "open until 2026-03-29T04:00+02:00" or "closed beyond the horizon". */
export const describeState = (state: OpenState, timeZone: string): string => {
  const until = state.open ? state.closesAtMs : state.opensAtMs;
  return `${state.open ? "open" : "closed"} ${until === null ? "beyond the horizon" : `until ${local(until, timeZone)}`}`;
};
