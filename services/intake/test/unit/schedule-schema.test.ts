import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { MAX_HOLIDAYS, MAX_INTERVALS_PER_DAY, scheduleSchema } from "../../src/domain/schedule-schema";

const valid = {
  timeZone: "Europe/Berlin",
  weekly: {
    monday: [
      { opens: "08:00", closes: "12:00" },
      { opens: "13:00", closes: "17:30" },
    ],
    friday: [{ opens: "22:00", closes: "24:00" }],
    saturday: [{ opens: "00:00", closes: "06:00" }],
  },
  holidays: [{ date: "2026-12-25", name: "Christmas Day" }],
  exceptions: [
    { date: "2026-12-24", hours: [{ opens: "08:00", closes: "12:00" }], reason: "Christmas Eve" },
    { date: "2026-12-31", hours: [] },
  ],
};

const firstIssue = (input: unknown) => {
  const result = scheduleSchema.safeParse(input);
  if (result.success) throw new Error("expected the schedule to be refused");
  return result.error.issues[0]!;
};

const hours = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    opens: `${String(i * 2).padStart(2, "0")}:00`,
    closes: `${String(i * 2 + 1).padStart(2, "0")}:00`,
  }));

describe("schedule schema", () => {
  it("accepts split shifts, a shift ending at 24:00, holidays and exceptions, and fills in closed days", () => {
    const schedule = scheduleSchema.parse(valid);
    expect(schedule.weekly.monday).toHaveLength(2);
    expect(schedule.weekly.sunday).toEqual([]);
  });

  it("accepts a schedule with nothing but a time zone (closed every day)", () => {
    expect(scheduleSchema.parse({ timeZone: "America/New_York", weekly: {} })).toEqual({
      timeZone: "America/New_York",
      weekly: { monday: [], tuesday: [], wednesday: [], thursday: [], friday: [], saturday: [], sunday: [] },
      holidays: [],
      exceptions: [],
    });
  });

  it.each([
    ["an unknown time zone", { ...valid, timeZone: "Europe/Atlantis" }, ["timeZone"]],
    ["an offset instead of a zone name", { ...valid, timeZone: "+01:00" }, ["timeZone"]],
    [
      "an opening time that is not HH:MM",
      { ...valid, weekly: { tuesday: [{ opens: "8:00", closes: "12:00" }] } },
      ["weekly", "tuesday", 0, "opens"],
    ],
    [
      "24:00 as an opening time",
      { ...valid, weekly: { tuesday: [{ opens: "24:00", closes: "24:00" }] } },
      ["weekly", "tuesday", 0, "opens"],
    ],
    [
      "a closing time past 24:00",
      { ...valid, weekly: { tuesday: [{ opens: "20:00", closes: "24:30" }] } },
      ["weekly", "tuesday", 0, "closes"],
    ],
    [
      "an interval that closes before it opens",
      { ...valid, weekly: { tuesday: [{ opens: "12:00", closes: "08:00" }] } },
      ["weekly", "tuesday", 0, "closes"],
    ],
    [
      "an empty interval",
      { ...valid, weekly: { tuesday: [{ opens: "12:00", closes: "12:00" }] } },
      ["weekly", "tuesday", 0, "closes"],
    ],
    [
      "overlapping intervals",
      {
        ...valid,
        weekly: {
          wednesday: [
            { opens: "08:00", closes: "12:30" },
            { opens: "12:00", closes: "17:00" },
          ],
        },
      },
      ["weekly", "wednesday", 1, "opens"],
    ],
    [
      "unsorted intervals",
      {
        ...valid,
        weekly: {
          wednesday: [
            { opens: "13:00", closes: "17:00" },
            { opens: "08:00", closes: "12:00" },
          ],
        },
      },
      ["weekly", "wednesday", 1, "opens"],
    ],
    [
      "too many intervals in a day",
      { ...valid, weekly: { thursday: hours(MAX_INTERVALS_PER_DAY + 1) } },
      ["weekly", "thursday"],
    ],
    ["a misspelt weekday", { ...valid, weekly: { munday: [] } }, ["weekly"]],
    [
      "a holiday on a date that does not exist",
      { ...valid, holidays: [{ date: "2026-02-30", name: "Nope" }] },
      ["holidays", 0, "date"],
    ],
    ["a holiday without a name", { ...valid, holidays: [{ date: "2026-05-01", name: " " }] }, ["holidays", 0, "name"]],
    [
      "the same holiday twice",
      {
        ...valid,
        holidays: [
          { date: "2026-05-01", name: "Labour Day" },
          { date: "2026-05-01", name: "May Day" },
        ],
      },
      ["holidays", 1, "date"],
    ],
    [
      "too many holidays",
      {
        ...valid,
        holidays: Array.from({ length: MAX_HOLIDAYS + 1 }, (_, i) => ({
          date: Temporal.PlainDate.from("2026-01-01").add({ days: i }).toString(),
          name: `day ${i}`,
        })),
      },
      ["holidays"],
    ],
    [
      "overlapping hours in an exception",
      {
        ...valid,
        exceptions: [
          {
            date: "2026-12-24",
            hours: [
              { opens: "08:00", closes: "12:00" },
              { opens: "11:00", closes: "13:00" },
            ],
          },
        ],
      },
      ["exceptions", 0, "hours", 1, "opens"],
    ],
    ["an exception without hours", { ...valid, exceptions: [{ date: "2026-12-24" }] }, ["exceptions", 0, "hours"]],
  ])("refuses %s, naming the field", (_, input, path) => {
    expect(firstIssue(input).path).toEqual(path);
  });
});
