import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { wallClockAt, wallClockInstant } from "../../src/domain/wall-clock";
import { instant, local } from "./schedule-fixtures";

describe("a local time stands for the first instant the clocks show it or pass it", () => {
  it.each([
    ["an ordinary time", "Europe/Berlin", "2026-11-30", "08:00", "2026-11-30T08:00+01:00"],
    [
      "a time skipped when clocks go forward: the jump",
      "Europe/Berlin",
      "2026-03-29",
      "02:30",
      "2026-03-29T03:00+02:00",
    ],
    ["the start of the skipped hour: the jump", "Europe/Berlin", "2026-03-29", "02:00", "2026-03-29T03:00+02:00"],
    ["the end of the skipped hour: the jump", "Europe/Berlin", "2026-03-29", "03:00", "2026-03-29T03:00+02:00"],
    [
      "a time repeated when clocks go back: its first pass",
      "Europe/Berlin",
      "2026-10-25",
      "02:30",
      "2026-10-25T02:30+02:00",
    ],
    ["a skipped time in New York", "America/New_York", "2026-03-08", "02:15", "2026-03-08T03:00-04:00"],
    ["a repeated time in New York", "America/New_York", "2026-11-01", "01:15", "2026-11-01T01:15-04:00"],
    ["24:00: the start of the next day", "Europe/Berlin", "2026-11-30", "24:00", "2026-12-01T00:00+01:00"],
    [
      "a skipped midnight: the day starts at the jump",
      "America/Santiago",
      "2026-09-06",
      "00:00",
      "2026-09-06T01:00-03:00",
    ],
    ["24:00 before a skipped midnight", "America/Santiago", "2026-09-05", "24:00", "2026-09-06T01:00-03:00"],
    [
      "24:00 before a repeated hour at midnight: after it",
      "America/Santiago",
      "2026-04-04",
      "24:00",
      "2026-04-05T00:00-04:00",
    ],
  ])("%s: %s %s %s is %s", (_, timeZone, date, time, expected) => {
    expect(local(wallClockInstant(timeZone, Temporal.PlainDate.from(date), time), timeZone)).toBe(expected);
  });

  it("reads the clock to the minute, on either pass of a repeated hour", () => {
    for (const at of ["2026-10-25T02:30:59+02:00", "2026-10-25T02:30:59+01:00"]) {
      const clock = wallClockAt("Europe/Berlin", instant(at));
      expect([clock.date.toString(), clock.time]).toEqual(["2026-10-25", "02:30"]);
    }
  });
});
