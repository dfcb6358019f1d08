import { describe, expect, it } from "vitest";
import { clock, percent, serviceLevelBand, spokenDuration } from "../../wallboard/src/format";

describe("wallboard figures as the wall shows them", () => {
  it("writes waits as m:ss or h:mm:ss, and says them in words for screen readers", () => {
    expect([clock(null), clock(0), clock(9_400), clock(80_000), clock(3_725_000)]).toEqual([
      "–",
      "0:00",
      "0:09",
      "1:20",
      "1:02:05",
    ]);
    expect([spokenDuration(null), spokenDuration(1_000), spokenDuration(80_000)]).toEqual([
      "none",
      "1 second",
      "1 minute 20 seconds",
    ]);
  });

  it("rounds service level to whole percent and bands it against the 80 % goal", () => {
    expect([percent(null), percent(0.796), percent(1)]).toEqual(["–", "80%", "100%"]);
    expect([0.85, 0.796, 0.7, 0.2, null].map(serviceLevelBand)).toEqual(["good", "good", "warn", "bad", undefined]);
  });
});
