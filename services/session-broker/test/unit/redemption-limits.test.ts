import { describe, expect, it } from "vitest";
import {
  addressBucket,
  DAY_MS,
  decideRedemption,
  DEFAULT_REDEMPTION_LIMITS,
  failuresNeededSince,
  failuresPerDay,
  guessingOdds,
  SESSION_KEY_SPACE,
  type RedemptionLimits,
} from "../../src/domain/redemption-limits";

const limits: RedemptionLimits = {
  perAddress: { maxFailures: 3, windowMs: 60_000 },
  perSite: { maxFailures: 10, windowMs: 30_000 },
};
const NOW = 1_000_000;

describe("redemption limits", () => {
  it("let an attempt through while both windows have room", () => {
    expect(decideRedemption({ nowMs: NOW, addressNthFailureAtMs: null, siteNthFailureAtMs: null }, limits)).toEqual({
      allowed: true,
    });
  });

  it("lock an address with its maximum of failures in the window until the oldest leaves it", () => {
    expect(
      decideRedemption({ nowMs: NOW, addressNthFailureAtMs: NOW - 45_000, siteNthFailureAtMs: null }, limits),
    ).toEqual({ allowed: false, scope: "address", retryAfterMs: 15_000 });
  });

  it("lock a whole site when all addresses together reach its maximum", () => {
    expect(
      decideRedemption({ nowMs: NOW, addressNthFailureAtMs: null, siteNthFailureAtMs: NOW - 10_000 }, limits),
    ).toEqual({ allowed: false, scope: "site", retryAfterMs: 20_000 });
  });

  it("name the lock that lasts longer when both apply", () => {
    const decision = decideRedemption(
      { nowMs: NOW, addressNthFailureAtMs: NOW - 50_000, siteNthFailureAtMs: NOW - 5_000 },
      limits,
    );
    expect(decision).toEqual({ allowed: false, scope: "site", retryAfterMs: 25_000 });
  });

  it("ignore failures that have left the window", () => {
    expect(
      decideRedemption({ nowMs: NOW, addressNthFailureAtMs: NOW - 60_000, siteNthFailureAtMs: NOW - 30_001 }, limits),
    ).toEqual({ allowed: true });
  });

  it("keep what the longest window needs and no more", () => {
    expect(failuresNeededSince(NOW, limits)).toBe(NOW - 60_000);
  });

  it("let no day hold more failures than the windows allow", () => {
    expect(failuresPerDay({ maxFailures: 10, windowMs: 15 * 60_000 })).toBe(960);
    expect(failuresPerDay({ maxFailures: 1, windowMs: 7 * 3_600_000 })).toBe(4);
  });

  it("simulated against a guesser who tries as fast as he is let, allow what failuresPerDay says", () => {
    // One guesser, one address, always failing: he tries every 100 ms and is refused while locked.
    const failures: number[] = [];
    const small: RedemptionLimits = {
      perAddress: { maxFailures: 5, windowMs: 3_600_000 },
      perSite: { maxFailures: 1_000, windowMs: 3_600_000 },
    };
    for (let t = 0; t < DAY_MS; t += 100) {
      const inWindow = failures.filter((at) => at > t - small.perAddress.windowMs);
      const nth = inWindow.length >= small.perAddress.maxFailures ? inWindow[inWindow.length - 5]! : null;
      if (decideRedemption({ nowMs: t, addressNthFailureAtMs: nth, siteNthFailureAtMs: null }, small).allowed)
        failures.push(t);
    }
    expect(failures.length).toBeLessThanOrEqual(failuresPerDay(small.perAddress));
    expect(failures.length).toBe(120);
  });

  it("keep the chance of hitting any of 1,000 live keys at or below 1e-6 a day", () => {
    const odds = guessingOdds(DEFAULT_REDEMPTION_LIMITS, 1_000);
    console.log(
      [
        `session key space: 32^10 = ${SESSION_KEY_SPACE.toLocaleString("en")} keys`,
        `limits: ${DEFAULT_REDEMPTION_LIMITS.perAddress.maxFailures} failures per ` +
          `${DEFAULT_REDEMPTION_LIMITS.perAddress.windowMs / 60_000} min per address, ` +
          `${DEFAULT_REDEMPTION_LIMITS.perSite.maxFailures} per ${DEFAULT_REDEMPTION_LIMITS.perSite.windowMs / 60_000} min per site`,
        `guesses a day from one address: ${odds.guessesPerDayPerAddress.toLocaleString("en")}`,
        `guesses a day at one site, from any number of addresses: ${odds.guessesPerDay.toLocaleString("en")}`,
        `P(hitting any of 1,000 live keys in a day) = ${odds.probability.toExponential(3)} ` +
          `(bound g·K/N = ${odds.probabilityBound.toExponential(3)}; target 1e-6)`,
      ].join("\n"),
    );
    expect(odds.guessesPerDay).toBe(720_000);
    expect(odds.probability).toBeLessThanOrEqual(odds.probabilityBound);
    expect(odds.probabilityBound).toBeLessThanOrEqual(1e-6);
  });
});

describe("client addresses", () => {
  it("count IPv4 addresses one by one, also IPv4-mapped ones", () => {
    expect(addressBucket("203.0.113.7")).toBe("203.0.113.7");
    expect(addressBucket("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("count an IPv6 /64 as one address, however it is written", () => {
    const bucket = "2001:db8:0:1::/64";
    expect(addressBucket("2001:db8:0:1::1")).toBe(bucket);
    expect(addressBucket("2001:0DB8:0000:0001:ffff:ffff:ffff:ffff")).toBe(bucket);
    expect(addressBucket("2001:db8::1:0:0:0:9")).toBe(bucket);
    expect(addressBucket("2001:db8:0:2::1")).not.toBe(bucket);
    expect(addressBucket("::1")).toBe("0:0:0:0::/64");
  });

  it("keep anything else as it is, lower-cased", () => {
    expect(addressBucket("Proxy-7")).toBe("proxy-7");
    expect(addressBucket("1:2:3")).toBe("1:2:3");
  });
});
