import { describe, expect, it } from "vitest";
import { isOpenAt, openStateAt } from "../../src/domain/business-hours";
import type { ScheduleInput } from "../../src/domain/schedule-schema";
import { hours, instant, local, schedule } from "./schedule-fixtures";

/**
 * Whatever the rules say about a clock change, the answers must agree with one another: the state
 * holds until the instant it names and flips exactly there. Checked every few minutes across each
 * clock change, for schedules whose boundaries fall before, in, across and after the changed hour.
 */
const STEP_MS = 19 * 60_000;

const nightAndDay: ScheduleInput["weekly"] = {
  saturday: hours("08:00–12:00", "20:00–24:00"),
  sunday: hours("00:00–01:00", "01:30–02:10", "02:20–02:40", "02:50–03:15", "04:00–24:00"),
  monday: hours("00:00–03:00", "13:00–17:30"),
};

const around = [
  ["Europe/Berlin", "2026-03-28T00:00+01:00"],
  ["Europe/Berlin", "2026-10-24T00:00+02:00"],
  ["America/New_York", "2026-03-07T00:00-05:00"],
  ["America/New_York", "2026-10-31T00:00-04:00"],
  ["America/Santiago", "2026-04-04T00:00-03:00"],
  ["America/Santiago", "2026-09-05T00:00-04:00"],
] as const;

describe("open state is consistent across clock changes", () => {
  it.each(around)("%s from %s for three days", (timeZone, from) => {
    const subject = schedule({ timeZone, weekly: nightAndDay });
    const startMs = instant(from);
    for (let atMs = startMs; atMs < startMs + 3 * 86_400_000; atMs += STEP_MS) {
      const at = local(atMs, timeZone);
      const state = openStateAt(subject, atMs);
      expect(isOpenAt(subject, atMs), `isOpenAt at ${at}`).toBe(state.open);
      const flipMs = state.open ? state.closesAtMs : state.opensAtMs;
      if (flipMs === null) continue;
      expect(flipMs, `flip after ${at}`).toBeGreaterThan(atMs);
      expect(isOpenAt(subject, flipMs - 1), `just before the flip after ${at}`).toBe(state.open);
      expect(isOpenAt(subject, flipMs), `at the flip after ${at}`).toBe(!state.open);
      if (flipMs > atMs + STEP_MS) {
        expect(openStateAt(subject, atMs + STEP_MS), `a step after ${at}`).toEqual(state);
      }
    }
  });
});
