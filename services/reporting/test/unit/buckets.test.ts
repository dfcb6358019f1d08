import { Temporal } from "temporal-polyfill";
import { describe, expect, it } from "vitest";
import { dayIntervalStarts, intervalBuckets, splitSpan, INTERVAL_MS, type Bucket } from "../../src/domain/buckets";

/** The interval of an instant straight from its own zoned time, as the definition reads. */
function zonedInterval(timeZone: string, atMs: number): Bucket {
  const midnight = Temporal.Instant.fromEpochMilliseconds(atMs).toZonedDateTimeISO(timeZone).startOfDay();
  const startMs =
    midnight.epochMilliseconds + Math.floor((atMs - midnight.epochMilliseconds) / INTERVAL_MS) * INTERVAL_MS;
  return { startMs, endMs: Math.min(startMs + INTERVAL_MS, midnight.add({ days: 1 }).epochMilliseconds) };
}

describe("15-minute intervals", () => {
  it("has 96 intervals on an ordinary day, 92 on the spring clock change and 100 on the autumn one", () => {
    expect(dayIntervalStarts("Europe/Berlin", "2026-06-01")).toHaveLength(96);
    expect(dayIntervalStarts("Europe/Berlin", "2026-03-29")).toHaveLength(92);
    expect(dayIntervalStarts("Europe/Berlin", "2026-10-25")).toHaveLength(100);
  });

  it("runs in real time from local midnight, so no interval is longer than 15 minutes across a clock change", () => {
    const starts = dayIntervalStarts("Europe/Berlin", "2026-10-25");
    expect(starts[0]).toBe(Date.UTC(2026, 9, 24, 22));
    expect(starts.slice(1).every((start, i) => start - starts[i]! === INTERVAL_MS)).toBe(true);
  });

  it("aligns to local midnight in a zone whose offset is not a whole hour", () => {
    const day = dayIntervalStarts("Asia/Kathmandu", "2026-11-02");
    expect(day[0]).toBe(Date.UTC(2026, 10, 1, 18, 15));
    const buckets = intervalBuckets("Asia/Kathmandu", day[0]!, day[0]! + 86_400_000);
    expect(buckets.of(Date.UTC(2026, 10, 2, 3, 29, 59))?.startMs).toBe(Date.UTC(2026, 10, 2, 3, 15));
  });

  it("includes an interval's start instant and excludes its end", () => {
    const buckets = intervalBuckets("UTC", 0, 86_400_000);
    expect(buckets.of(INTERVAL_MS)?.startMs).toBe(INTERVAL_MS);
    expect(buckets.of(INTERVAL_MS - 1)?.startMs).toBe(0);
  });

  it("splits a duration at interval boundaries", () => {
    const buckets = intervalBuckets("UTC", 0, 86_400_000);
    expect(splitSpan(buckets, 10 * 60_000, 40 * 60_000).map((p) => p.ms)).toEqual([300_000, 900_000, 600_000]);
  });

  it("puts every instant of a year in the interval its own zoned time gives, clock changes and odd offsets included", () => {
    const fromMs = Date.UTC(2025, 11, 31, 13, 7);
    const toMs = Date.UTC(2027, 0, 1, 11, 53);
    // Zones changing clocks at or near midnight (Santiago, Havana), by 30 minutes (Lord Howe), at a
    // quarter hour offset (Chatham), and the spring and autumn days of Berlin.
    for (const timeZone of [
      "Europe/Berlin",
      "America/Santiago",
      "America/Havana",
      "Australia/Lord_Howe",
      "Pacific/Chatham",
    ]) {
      const buckets = intervalBuckets(timeZone, fromMs, toMs);
      // Odd steps so the instants fall at every minute of the day over the year, plus each range edge.
      const instants = [fromMs, toMs - 1];
      for (let at = fromMs; at < toMs; at += 193 * 60_000 + 1) instants.push(at);
      // Each local midnight and clock change, and the instants either side of it.
      let day = Temporal.Instant.fromEpochMilliseconds(fromMs).toZonedDateTimeISO(timeZone).startOfDay();
      for (; day.epochMilliseconds < toMs; day = day.add({ days: 1 }).startOfDay()) {
        const change = day.getTimeZoneTransition("next");
        for (const edge of [day.epochMilliseconds, change?.epochMilliseconds ?? fromMs])
          instants.push(...[edge - 1, edge, edge + 1].filter((at) => at >= fromMs && at < toMs));
      }
      for (const at of instants)
        expect(buckets.of(at), `${timeZone} ${new Date(at).toISOString()}`).toEqual(zonedInterval(timeZone, at));
      expect(buckets.of(fromMs - 1)).toBeNull();
      expect(buckets.of(toMs)).toBeNull();
    }
  });
});
