import { describe, expect, it } from "vitest";
import { closesAt, isOpenAt, opensAt, openStateAt } from "../../src/domain/business-hours";
import type { Schedule, ScheduleInput } from "../../src/domain/schedule-schema";
import { describeState, hours, instant, schedule } from "./schedule-fixtures";

/** The state at `at`, checked against isOpenAt so every row tests both. */
const stateAt = (subject: Schedule, at: string): string => {
  const atMs = instant(at);
  const state = openStateAt(subject, atMs);
  expect(isOpenAt(subject, atMs), `isOpenAt(${at})`).toBe(state.open);
  return describeState(state, subject.timeZone);
};

const weekdays = (...spans: string[]): ScheduleInput["weekly"] => {
  const day = hours(...spans);
  return { monday: day, tuesday: day, wednesday: day, thursday: day, friday: day };
};

describe("weekly hours with split shifts", () => {
  const berlin = schedule({ timeZone: "Europe/Berlin", weekly: weekdays("08:00–12:00", "13:00–17:30") });

  it.each([
    ["before the morning shift", "2026-11-30T07:59+01:00", "closed until 2026-11-30T08:00+01:00"],
    ["as the morning shift opens", "2026-11-30T08:00+01:00", "open until 2026-11-30T12:00+01:00"],
    [
      "in the last millisecond of the morning shift",
      "2026-11-30T11:59:59.999+01:00",
      "open until 2026-11-30T12:00+01:00",
    ],
    ["as the morning shift closes", "2026-11-30T12:00+01:00", "closed until 2026-11-30T13:00+01:00"],
    ["at lunch", "2026-11-30T12:30+01:00", "closed until 2026-11-30T13:00+01:00"],
    ["in the afternoon shift", "2026-11-30T17:29+01:00", "open until 2026-11-30T17:30+01:00"],
    ["after work", "2026-11-30T17:30+01:00", "closed until 2026-12-01T08:00+01:00"],
    ["on Friday evening", "2026-12-04T18:00+01:00", "closed until 2026-12-07T08:00+01:00"],
    ["on Saturday", "2026-12-05T10:00+01:00", "closed until 2026-12-07T08:00+01:00"],
    ["at 08:00 Berlin time asked in UTC", "2026-11-30T07:00Z", "open until 2026-11-30T12:00+01:00"],
  ])("%s: %s is %s", (_, at, expected) => {
    expect(stateAt(berlin, at)).toBe(expected);
  });

  it("keeps touching intervals open as one stretch", () => {
    const touching = schedule({ timeZone: "Europe/Berlin", weekly: { monday: hours("08:00–12:00", "12:00–17:00") } });
    expect(stateAt(touching, "2026-11-30T11:00+01:00")).toBe("open until 2026-11-30T17:00+01:00");
  });
});

describe("holidays and exceptions", () => {
  const berlin = schedule({
    timeZone: "Europe/Berlin",
    weekly: weekdays("08:00–12:00", "13:00–17:30"),
    holidays: [
      { date: "2026-04-03", name: "Karfreitag" },
      { date: "2026-04-06", name: "Ostermontag" },
      { date: "2026-05-01", name: "Tag der Arbeit" },
      { date: "2026-12-25", name: "1. Weihnachtstag" },
      { date: "2027-01-01", name: "Neujahr" },
    ],
    exceptions: [
      { date: "2026-05-01", hours: hours("10:00–12:00"), reason: "Emergency line on the holiday" },
      { date: "2026-12-19", hours: hours("10:00–14:00"), reason: "Saturday before Christmas" },
      { date: "2026-12-24", hours: hours("08:00–12:00"), reason: "Heiligabend" },
      { date: "2026-12-31", hours: [], reason: "Inventory" },
    ],
  });

  it.each([
    [
      "Thursday before Easter: opens after the holiday weekend",
      "2026-04-02T18:00+02:00",
      "closed until 2026-04-07T08:00+02:00",
    ],
    ["on Good Friday", "2026-04-03T10:00+02:00", "closed until 2026-04-07T08:00+02:00"],
    ["on Easter Monday", "2026-04-06T10:00+02:00", "closed until 2026-04-07T08:00+02:00"],
    [
      "a holiday with an exception keeps the exception's hours",
      "2026-05-01T10:30+02:00",
      "open until 2026-05-01T12:00+02:00",
    ],
    ["after the exception's hours on the holiday", "2026-05-01T12:30+02:00", "closed until 2026-05-04T08:00+02:00"],
    ["before an exception that opens a Saturday", "2026-12-18T18:00+01:00", "closed until 2026-12-19T10:00+01:00"],
    ["in that Saturday's hours", "2026-12-19T11:00+01:00", "open until 2026-12-19T14:00+01:00"],
    ["in the shorter hours of Christmas Eve", "2026-12-24T09:00+01:00", "open until 2026-12-24T12:00+01:00"],
    ["after them, over the holiday and the weekend", "2026-12-24T13:30+01:00", "closed until 2026-12-28T08:00+01:00"],
    [
      "over a day closed by exception and New Year's Day",
      "2026-12-30T17:45+01:00",
      "closed until 2027-01-04T08:00+01:00",
    ],
  ])("%s: %s is %s", (_, at, expected) => {
    expect(stateAt(berlin, at)).toBe(expected);
  });
});

describe("holiday weekends elsewhere", () => {
  it("opens after Thanksgiving and the day after in New York", () => {
    const newYork = schedule({
      timeZone: "America/New_York",
      weekly: weekdays("09:00–17:00"),
      holidays: [
        { date: "2026-11-26", name: "Thanksgiving Day" },
        { date: "2026-11-27", name: "Day after Thanksgiving" },
      ],
    });
    expect(stateAt(newYork, "2026-11-25T17:00-05:00")).toBe("closed until 2026-11-30T09:00-05:00");
  });

  it("opens after a holiday weekend during which the clocks went back, on the new offset", () => {
    const berlin = schedule({
      timeZone: "Europe/Berlin",
      weekly: weekdays("08:00–17:30"),
      holidays: [{ date: "2026-10-23", name: "Company day" }],
    });
    expect(stateAt(berlin, "2026-10-22T18:00+02:00")).toBe("closed until 2026-10-26T08:00+01:00");
  });
});

describe("midnight", () => {
  const nights = schedule({
    timeZone: "Europe/Berlin",
    weekly: {
      thursday: hours("18:00–24:00"),
      friday: hours("00:00–02:00", "22:00–24:00"),
      saturday: hours("00:00–06:00"),
    },
  });

  it.each([
    [
      "a shift ending 24:00 runs on into one starting 00:00",
      "2026-11-26T23:59+01:00",
      "open until 2026-11-27T02:00+01:00",
    ],
    ["at midnight itself", "2026-11-27T00:00+01:00", "open until 2026-11-27T02:00+01:00"],
    ["after the night shift", "2026-11-27T02:00+01:00", "closed until 2026-11-27T22:00+01:00"],
    ["Friday night into Saturday morning", "2026-11-27T23:00+01:00", "open until 2026-11-28T06:00+01:00"],
    ["after it, until the next Thursday", "2026-11-28T06:00+01:00", "closed until 2026-12-03T18:00+01:00"],
  ])("%s: %s is %s", (_, at, expected) => {
    expect(stateAt(nights, at)).toBe(expected);
  });

  it("is open round the clock with 00:00–24:00 every day, up to a holiday", () => {
    const allDay = hours("00:00–24:00");
    const roundTheClock = {
      timeZone: "Europe/Berlin",
      weekly: {
        monday: allDay,
        tuesday: allDay,
        wednesday: allDay,
        thursday: allDay,
        friday: allDay,
        saturday: allDay,
        sunday: allDay,
      },
    };
    expect(stateAt(schedule(roundTheClock), "2026-11-30T03:00+01:00")).toBe("open beyond the horizon");
    const withHoliday = schedule({ ...roundTheClock, holidays: [{ date: "2026-12-25", name: "Christmas Day" }] });
    expect(stateAt(withHoliday, "2026-11-30T03:00+01:00")).toBe("open until 2026-12-25T00:00+01:00");
  });
});

/** Each row: which days hold which hours, an instant, and the state then. */
type DstRow = [description: string, weekly: ScheduleInput["weekly"], at: string, expected: string];

const dstCases = (timeZone: string, rows: DstRow[]) =>
  it.each(rows)("%s", (_, weekly, at, expected) => {
    expect(stateAt(schedule({ timeZone, weekly }), at)).toBe(expected);
  });

describe("Europe/Berlin springs forward on 29 March 2026 (02:00 CET becomes 03:00 CEST)", () => {
  dstCases("Europe/Berlin", [
    [
      "an interval inside the skipped hour never opens",
      { sunday: hours("02:00–03:00") },
      "2026-03-28T12:00+01:00",
      "closed until 2026-04-05T02:00+02:00",
    ],
    [
      "nor is it open at the jump",
      { sunday: hours("02:00–03:00") },
      "2026-03-29T03:00+02:00",
      "closed until 2026-04-05T02:00+02:00",
    ],
    [
      "an interval crossing the gap opens before it",
      { sunday: hours("01:30–04:00") },
      "2026-03-29T01:45+01:00",
      "open until 2026-03-29T04:00+02:00",
    ],
    [
      "and is open after it",
      { sunday: hours("01:30–04:00") },
      "2026-03-29T03:00+02:00",
      "open until 2026-03-29T04:00+02:00",
    ],
    [
      "an interval starting in the gap opens at the jump",
      { sunday: hours("02:30–08:00") },
      "2026-03-28T22:00+01:00",
      "closed until 2026-03-29T03:00+02:00",
    ],
    [
      "an interval ending in the gap closes at the jump",
      { sunday: hours("00:00–02:30") },
      "2026-03-29T01:59+01:00",
      "open until 2026-03-29T03:00+02:00",
    ],
    [
      "intervals apart only inside the skipped hour run on into one another",
      { sunday: hours("00:00–02:15", "02:30–05:00") },
      "2026-03-29T01:30+01:00",
      "open until 2026-03-29T05:00+02:00",
    ],
    [
      "a night shift crosses the change",
      { saturday: hours("20:00–24:00"), sunday: hours("00:00–09:00") },
      "2026-03-28T21:00+01:00",
      "open until 2026-03-29T09:00+02:00",
    ],
    [
      "daytime hours after the change keep summer time",
      { sunday: hours("08:00–12:00") },
      "2026-03-29T07:59+02:00",
      "closed until 2026-03-29T08:00+02:00",
    ],
  ]);
});

describe("Europe/Berlin falls back on 25 October 2026 (03:00 CEST becomes 02:00 CET)", () => {
  dstCases("Europe/Berlin", [
    [
      "an interval in the repeated hour is open on its first pass",
      { sunday: hours("02:00–02:30") },
      "2026-10-25T02:15+02:00",
      "open until 2026-10-25T02:30+02:00",
    ],
    [
      "and not on its second",
      { sunday: hours("02:00–02:30") },
      "2026-10-25T02:15+01:00",
      "closed until 2026-11-01T02:00+01:00",
    ],
    [
      "an interval across the repeated hour lasts an hour longer",
      { sunday: hours("01:00–04:00") },
      "2026-10-25T01:30+02:00",
      "open until 2026-10-25T04:00+01:00",
    ],
    [
      "and is open in the second pass",
      { sunday: hours("01:00–04:00") },
      "2026-10-25T02:15+01:00",
      "open until 2026-10-25T04:00+01:00",
    ],
    [
      "an interval starting in the repeated hour opens on its first pass",
      { sunday: hours("02:30–03:30") },
      "2026-10-25T02:00+02:00",
      "closed until 2026-10-25T02:30+02:00",
    ],
    [
      "and closes on the later clock",
      { sunday: hours("02:30–03:30") },
      "2026-10-25T02:45+01:00",
      "open until 2026-10-25T03:30+01:00",
    ],
    [
      "a night shift crosses the change",
      { saturday: hours("22:00–24:00"), sunday: hours("00:00–06:00") },
      "2026-10-24T23:00+02:00",
      "open until 2026-10-25T06:00+01:00",
    ],
  ]);
});

describe("America/New_York springs forward on 8 March 2026 (02:00 EST becomes 03:00 EDT)", () => {
  dstCases("America/New_York", [
    [
      "an interval inside the skipped hour never opens",
      { sunday: hours("02:00–03:00") },
      "2026-03-07T12:00-05:00",
      "closed until 2026-03-15T02:00-04:00",
    ],
    [
      "an interval crossing the gap is open after it",
      { sunday: hours("01:00–05:00") },
      "2026-03-08T03:30-04:00",
      "open until 2026-03-08T05:00-04:00",
    ],
    [
      "an interval starting in the gap opens at the jump",
      { sunday: hours("02:15–09:00") },
      "2026-03-08T01:00-05:00",
      "closed until 2026-03-08T03:00-04:00",
    ],
    [
      "a night shift crosses the change",
      { saturday: hours("21:00–24:00"), sunday: hours("00:00–05:00") },
      "2026-03-07T22:00-05:00",
      "open until 2026-03-08T05:00-04:00",
    ],
  ]);
});

describe("America/New_York falls back on 1 November 2026 (02:00 EDT becomes 01:00 EST)", () => {
  dstCases("America/New_York", [
    [
      "an interval in the repeated hour is open on its first pass",
      { sunday: hours("01:00–01:30") },
      "2026-11-01T01:15-04:00",
      "open until 2026-11-01T01:30-04:00",
    ],
    [
      "and not on its second",
      { sunday: hours("01:00–01:30") },
      "2026-11-01T01:15-05:00",
      "closed until 2026-11-08T01:00-05:00",
    ],
    [
      "an interval across the repeated hour is open in its second pass",
      { sunday: hours("00:00–03:00") },
      "2026-11-01T01:45-05:00",
      "open until 2026-11-01T03:00-05:00",
    ],
    [
      "a night shift crosses the change",
      { saturday: hours("21:00–24:00"), sunday: hours("00:00–05:00") },
      "2026-10-31T22:00-04:00",
      "open until 2026-11-01T05:00-05:00",
    ],
  ]);
});

describe("clock changes at midnight (America/Santiago)", () => {
  dstCases("America/Santiago", [
    // 6 September 2026: Sunday 00:00 never happens, the day starts at 01:00 -03.
    [
      "a shift ending 24:00 before a skipped midnight runs on into Sunday",
      { saturday: hours("22:00–24:00"), sunday: hours("00:00–03:00") },
      "2026-09-05T23:30-04:00",
      "open until 2026-09-06T03:00-03:00",
    ],
    // 4 April 2026: Saturday 23:00–24:00 happens twice, and belongs to Saturday both times.
    [
      "a repeated hour before midnight keeps Saturday open",
      { saturday: hours("22:00–24:00") },
      "2026-04-04T23:30-04:00",
      "open until 2026-04-05T00:00-04:00",
    ],
  ]);
});

describe("horizon and a site without a schedule", () => {
  it("treats no schedule as always open", () => {
    const atMs = instant("2026-11-30T03:00Z");
    expect(isOpenAt(null, atMs)).toBe(true);
    expect(opensAt(null, atMs)).toBe(atMs);
    expect(closesAt(null, atMs)).toBeNull();
    expect(openStateAt(null, atMs)).toEqual({ open: true, closesAtMs: null });
  });

  it("never opens a schedule without hours", () => {
    const closed = schedule({ timeZone: "Europe/Berlin", weekly: {} });
    expect(stateAt(closed, "2026-11-30T12:00+01:00")).toBe("closed beyond the horizon");
  });

  it.each([
    ["finds an opening 366 days ahead", "2027-12-01", "closed until 2027-12-01T09:00+01:00"],
    ["looks no further than 366 days", "2027-12-02", "closed beyond the horizon"],
  ])("%s", (_, date, expected) => {
    const oneOff = schedule({
      timeZone: "Europe/Berlin",
      weekly: {},
      exceptions: [{ date, hours: hours("09:00–10:00") }],
    });
    expect(stateAt(oneOff, "2026-11-30T12:00+01:00")).toBe(expected);
  });
});
