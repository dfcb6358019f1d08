import { prng, seedFrom } from "@handoff/testing";
import type { Prng } from "@handoff/testing";
import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { isOpenAt, openStateAt } from "../../src/domain/business-hours";
import type { OpeningInterval, Schedule } from "../../src/domain/schedule-schema";
import { hours, instant, local, schedule } from "./schedule-fixtures";

/**
 * The business hours of a weekend with a clock change, checked against an oracle that only ever reads
 * the clock (instant → local time through Intl, never the other way, so it shares neither Temporal nor
 * wall-clock.ts's handling of gaps and repeats). Its rule: an interval is open from the first instant
 * the clocks show its opening time or a later one, to the first instant they show its closing time or a
 * later one. It reads the clock every five minutes, which is exact here: every boundary is on a
 * five-minute mark and every clock change on the hour. isOpenAt and openStateAt must agree with it.
 *
 * Schedules: a fixed one with boundaries before, in, across and after the changed hour, and random ones
 * (seed from SCHEDULE_SEED to replay) whose boundaries crowd around midnight and the small hours.
 */
const MINUTE = 60_000;
const STEP = 5 * MINUTE;
const HOUR = 60 * MINUTE;
const seed = seedFrom("SCHEDULE_SEED");

const weekends = [
  ["Europe/Berlin", "2026-03-28T00:00+01:00", "springs forward"],
  ["Europe/Berlin", "2026-10-24T00:00+02:00", "falls back"],
  ["America/New_York", "2026-03-07T00:00-05:00", "springs forward"],
  ["America/New_York", "2026-10-31T00:00-04:00", "falls back"],
  ["America/Santiago", "2026-04-04T00:00-03:00", "falls back at midnight"],
  ["America/Santiago", "2026-09-05T00:00-04:00", "springs forward at midnight"],
] as const;

const fixedWeekend = {
  saturday: hours("08:00–12:00", "20:00–24:00"),
  sunday: hours("00:00–01:00", "01:30–02:10", "02:20–02:40", "02:50–03:15", "04:00–24:00"),
};

/** "HH:MM" of a count of five-minute steps from midnight (288 is 24:00). */
const clockTime = (steps: number): string =>
  `${String(Math.floor(steps / 12)).padStart(2, "0")}:${String((steps % 12) * 5).padStart(2, "0")}`;

/** Up to four intervals, most of their boundaries between 21:00 and 04:00, some touching. */
const randomDay = (random: Prng): OpeningInterval[] => {
  const candidates = new Set<number>();
  const wanted = 2 * random.int(0, 4);
  while (candidates.size < wanted) {
    candidates.add(random.chance(0.8) ? random.pick([...range(0, 48), ...range(252, 288)]) : random.int(0, 288));
  }
  const points = [...candidates].sort((a, b) => a - b);
  const day: OpeningInterval[] = [];
  for (let i = 0; i < points.length; i += 2) {
    const touching = day.length > 0 && random.chance(0.3);
    day.push({ opens: touching ? day.at(-1)!.closes : clockTime(points[i]!), closes: clockTime(points[i + 1]!) });
  }
  return day;
};

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Open or not at each five-minute step from `fromMs`, by the oracle's reading of the clock. */
const oracle = (subject: Schedule, fromMs: number, steps: number): boolean[] => {
  const clock = new Intl.DateTimeFormat("en-US", {
    timeZone: subject.timeZone,
    hourCycle: "h23",
    ...{ year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" },
  });
  const shown = Array.from({ length: steps }, (_, i) => {
    const part = Object.fromEntries(clock.formatToParts(fromMs + i * STEP).map(({ type, value }) => [type, value]));
    return `${part.year}-${part.month}-${part.day}T${part.hour}:${part.minute}`;
  });
  const firstStepShowing = (date: string, time: string): number => {
    const wanted =
      time === "24:00" ? `${Temporal.PlainDate.from(date).add({ days: 1 }).toString()}T00:00` : `${date}T${time}`;
    const index = shown.findIndex((label) => label >= wanted);
    return index === -1 ? steps : index;
  };
  const open = Array.from({ length: steps }, () => false);
  const saturday = shown[2 * 12]!.slice(0, 10);
  const sunday = Temporal.PlainDate.from(saturday).add({ days: 1 }).toString();
  for (const [date, day] of [
    [saturday, subject.weekly.saturday],
    [sunday, subject.weekly.sunday],
  ] as const) {
    for (const { opens, closes } of day) {
      for (let i = firstStepShowing(date, opens); i < firstStepShowing(date, closes); i++) open[i] = true;
    }
  }
  return open;
};

/**
 * Checked every half hour, at each flip and a minute before it: isOpenAt, and openStateAt, which must
 * name the next flip exactly, so that a flip the oracle does not have shows up at the check before it.
 */
const checkWeekend = (subject: Schedule, saturdayStart: string, context = ""): void => {
  // From two hours before Saturday to two after Sunday: every boundary lies inside, and the edges are closed.
  const fromMs = instant(saturdayStart) - 2 * HOUR;
  const expected = oracle(subject, fromMs, (52 * HOUR) / STEP);
  const endMs = fromMs + expected.length * STEP;
  const nextFlipMs = (i: number): number | null => {
    const found = expected.indexOf(!expected[i], i);
    return found === -1 ? null : fromMs + found * STEP;
  };
  const checkAt = (atMs: number, i: number): void => {
    const at = `${context}${local(atMs, subject.timeZone)}`;
    expect(isOpenAt(subject, atMs), `isOpenAt ${at}`).toBe(expected[i]);
    const state = openStateAt(subject, atMs);
    const flipMs = state.open ? state.closesAtMs : state.opensAtMs;
    if (nextFlipMs(i) !== null) expect(flipMs, `next flip after ${at}`).toBe(nextFlipMs(i));
    // Nothing flips in the window: the state holds beyond it, or for good.
    else expect(flipMs === null || flipMs > endMs, `next flip after ${at}`).toBe(true);
  };
  expected.forEach((open, i) => {
    const flips = i > 0 && open !== expected[i - 1];
    if (flips) checkAt(fromMs + i * STEP - MINUTE, i - 1);
    if (flips || i % 6 === 0) checkAt(fromMs + i * STEP, i);
  });
};

describe(`business hours across clock changes agree with the clock (SCHEDULE_SEED=${seed})`, () => {
  it.each(weekends)("%s, the weekend of %s (%s), fixed hours", (timeZone, saturdayStart) => {
    checkWeekend(schedule({ timeZone, weekly: fixedWeekend }), saturdayStart);
  });

  it.each(weekends)("%s, the weekend of %s (%s), random hours", (timeZone, saturdayStart) => {
    const random = prng(seed);
    for (let round = 0; round < 2; round++) {
      const weekly = { saturday: randomDay(random), sunday: randomDay(random) };
      const subject = schedule({ timeZone, weekly });
      checkWeekend(subject, saturdayStart, `hours ${JSON.stringify(weekly)}, at `);
    }
  });
});
