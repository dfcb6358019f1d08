import { describe, expect, it } from "vitest";
import { closingAdmission } from "../../src/domain/closing-admission";
import { hours, instant, local, schedule } from "./schedule-fixtures";

const MINUTE = 60_000;

describe("closing-time admission", () => {
  const berlin = schedule({
    timeZone: "Europe/Berlin",
    weekly: {
      monday: hours("08:00–12:00", "13:00–17:30"),
      friday: hours("22:00–24:00"),
      saturday: hours("00:00–06:00"),
    },
  });

  it.each([
    ["a wait ending before closing", "2026-11-30T17:00+01:00", 20, false, "2026-11-30T17:30+01:00"],
    ["a wait ending exactly at closing", "2026-11-30T17:00+01:00", 30, true, "2026-11-30T17:30+01:00"],
    ["a wait ending after closing", "2026-11-30T17:00+01:00", 45, true, "2026-11-30T17:30+01:00"],
    ["a wait running into the lunch break", "2026-11-30T11:50+01:00", 15, true, "2026-11-30T12:00+01:00"],
    ["no wait just before closing", "2026-11-30T17:29+01:00", 0, false, "2026-11-30T17:30+01:00"],
    ["a wait across midnight into the next day's hours", "2026-11-27T23:50+01:00", 20, false, "2026-11-28T06:00+01:00"],
    ["a session key used while closed", "2026-11-29T10:00+01:00", 0, true, "2026-11-29T10:00+01:00"],
  ])("%s (at %s, P90 %i min): told %s, closing %s", (_, at, p90Minutes, told, closing) => {
    const admission = closingAdmission(berlin, instant(at), p90Minutes * MINUTE);
    expect(admission.waitEndsAfterClosing).toBe(told);
    expect(admission.closesAtMs === null ? null : local(admission.closesAtMs, berlin.timeZone)).toBe(closing);
  });

  it("never warns a site without a schedule", () => {
    expect(closingAdmission(null, instant("2026-11-30T17:00+01:00"), 600 * MINUTE)).toEqual({
      waitEndsAfterClosing: false,
      closesAtMs: null,
    });
  });
});
