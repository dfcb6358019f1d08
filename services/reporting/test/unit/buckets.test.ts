import { describe, expect, it } from "vitest";
import { dayIntervalStarts, intervalBuckets, splitSpan, INTERVAL_MS } from "../../src/domain/buckets";

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
});
