import { describe, expect, it } from "vitest";
import { erlangC } from "../../src/system/erlang-c";

describe("erlangC", () => {
  it("is the M/M/1 queue for one server: P(wait) = ρ and Wq = ρ·s/(1 − ρ)", () => {
    const p = erlangC({ arrivalRatePerSecond: 0.8, meanServiceSeconds: 1, servers: 1 });
    expect(p.probabilityOfWaiting).toBeCloseTo(0.8, 12);
    expect(p.meanWaitSeconds).toBeCloseTo(4, 12);
  });

  it("matches the closed form for two servers: C = 2ρ²/(1 + ρ)", () => {
    const rho = 0.75;
    const p = erlangC({ arrivalRatePerSecond: 1.5, meanServiceSeconds: 1, servers: 2 });
    expect(p.utilisation).toBeCloseTo(rho, 12);
    expect(p.probabilityOfWaiting).toBeCloseTo((2 * rho * rho) / (1 + rho), 12);
  });

  it("matches the textbook factorial form where that form is exact", () => {
    const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
    for (const [c, a] of [
      [5, 3.2],
      [10, 8.5],
      [20, 17],
    ] as const) {
      let sum = 0;
      for (let k = 0; k < c; k++) sum += a ** k / factorial(k);
      const top = (a ** c / factorial(c)) * (c / (c - a));
      const expected = top / (sum + top);
      const p = erlangC({ arrivalRatePerSecond: a / 2, meanServiceSeconds: 2, servers: c });
      expect(p.probabilityOfWaiting).toBeCloseTo(expected, 10);
      expect(p.meanWaitSeconds).toBeCloseTo((expected * 2) / (c - a), 10);
    }
  });

  it("gives the call-centre example: 10 agents, 2 calls/min of 3 min → P(wait) ≈ 0.1013", () => {
    // 6 Erlangs on 10 servers: a classic table value.
    const p = erlangC({ arrivalRatePerSecond: 2 / 60, meanServiceSeconds: 180, servers: 10 });
    expect(p.probabilityOfWaiting).toBeCloseTo(0.1013, 3);
    expect(p.probabilityWaitExceeds(0)).toBeCloseTo(p.probabilityOfWaiting, 12);
    expect(p.probabilityWaitExceeds(20)).toBeLessThan(p.probabilityOfWaiting);
  });

  it("stays finite for hundreds of servers", () => {
    const p = erlangC({ arrivalRatePerSecond: 480, meanServiceSeconds: 1, servers: 500 });
    expect(Number.isFinite(p.probabilityOfWaiting)).toBe(true);
    expect(p.probabilityOfWaiting).toBeGreaterThan(0);
    expect(p.probabilityOfWaiting).toBeLessThan(1);
  });

  it("refuses an unstable queue and bad inputs, naming them", () => {
    expect(() => erlangC({ arrivalRatePerSecond: 2, meanServiceSeconds: 1, servers: 2 })).toThrow(/unstable/);
    expect(() => erlangC({ arrivalRatePerSecond: 0, meanServiceSeconds: 1, servers: 2 })).toThrow(/arrivalRate/);
    expect(() => erlangC({ arrivalRatePerSecond: 1, meanServiceSeconds: -1, servers: 2 })).toThrow(/meanService/);
    expect(() => erlangC({ arrivalRatePerSecond: 1, meanServiceSeconds: 1, servers: 1.5 })).toThrow(/servers/);
  });
});
