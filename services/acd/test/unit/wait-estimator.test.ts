import { prng } from "@handoff/testing";
import { describe, expect, it } from "vitest";
import {
  erlangQuantile,
  estimateWait,
  MIN_HANDLE_TIME_SAMPLES,
  robustMeanHandleTimeMs,
  type WaitEstimateInput,
} from "../../src/domain/wait-estimator";

/** The shared seeded PRNG's draws, so the simulation is the same on every run. */
const seededRandom = (seed: number): (() => number) => prng(seed).next;

const exponential = (random: () => number, mean: number) => -mean * Math.log(1 - random());

/** Gamma(shape, 1) quantile by bisection on its CDF summed in log space, independent of the estimator. */
function exactGammaQuantile(shape: number, p: number): number {
  const cdf = (x: number) => {
    let logTerm = -x;
    let survival = Math.exp(logTerm);
    for (let n = 1; n < shape; n++) {
      logTerm += Math.log(x / n);
      survival += Math.exp(logTerm);
    }
    return 1 - survival;
  };
  let low = 0;
  let high = 3 * shape + 50;
  for (let i = 0; i < 80; i++) {
    const mid = (low + high) / 2;
    if (cdf(mid) < p) low = mid;
    else high = mid;
  }
  return low;
}

function quantile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/**
 * Discrete-event simulation of the steady state the estimator assumes: S slots serving one FIFO queue,
 * `free` of them idle at time 0 and the others busy with sessions in progress, exponential handle times of
 * mean H, customers at positions 1..N at time 0 and no arrivals. Returns the sorted waits of `position`.
 */
function simulateWaits(options: { slots: number; free: number; meanMs: number; position: number; runs: number }) {
  const random = seededRandom(options.slots * 1000 + options.position);
  const waits: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    // When each slot next becomes free; a busy slot's remaining time is Exp(H) (memoryless).
    const freeAt = Array.from({ length: options.slots }, (_, i) =>
      i < options.free ? 0 : exponential(random, options.meanMs),
    );
    let start = 0;
    for (let customer = 1; customer <= options.position; customer++) {
      let slot = 0;
      for (let i = 1; i < freeAt.length; i++) if (freeAt[i]! < freeAt[slot]!) slot = i;
      start = freeAt[slot]!;
      freeAt[slot] = start + exponential(random, options.meanMs);
    }
    waits.push(start);
  }
  return waits.sort((a, b) => a - b);
}

/** 200 handle times spread exactly like an exponential of mean H, in a seeded random order. */
function exponentialHandleTimes(meanMs: number): number[] {
  const count = 200;
  const times = Array.from({ length: count }, (_, i) => -meanMs * Math.log(1 - (i + 0.5) / count));
  const random = seededRandom(7);
  for (let i = times.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [times[i], times[j]] = [times[j]!, times[i]!];
  }
  return times;
}

const MEAN_HANDLE_MS = 240_000;
const handleTimesMs = exponentialHandleTimes(MEAN_HANDLE_MS);
const estimate = (input: Partial<WaitEstimateInput> & { position: number }) =>
  estimateWait({ servingCapacity: 4, freeCapacity: 0, handleTimesMs, ...input });

describe("estimateWait", () => {
  const cases: [position: number, slots: number, free: number][] = [
    [1, 1, 0],
    [1, 4, 0],
    [3, 2, 0],
    [5, 4, 0],
    [10, 3, 0],
    [25, 8, 0],
    [40, 5, 0],
    [6, 4, 2],
  ];

  it.each(cases)(
    "matches the simulated P50 and P90 of position %i with %i slots (%i free) within 12%%",
    (position, slots, free) => {
      const waits = simulateWaits({ slots, free, meanMs: MEAN_HANDLE_MS, position, runs: 20_000 });
      const estimated = estimate({ position, servingCapacity: slots, freeCapacity: free });
      expect(estimated.known).toBe(true);
      expect(Math.abs(estimated.p50Ms / quantile(waits, 0.5) - 1)).toBeLessThan(0.12);
      expect(Math.abs(estimated.p90Ms / quantile(waits, 0.9) - 1)).toBeLessThan(0.12);
    },
  );

  it("grows with the position and never falls", () => {
    let previous = estimate({ position: 1 });
    for (let position = 2; position <= 300; position++) {
      const next = estimate({ position });
      expect(next.p50Ms).toBeGreaterThan(previous.p50Ms);
      expect(next.p90Ms).toBeGreaterThan(previous.p90Ms);
      expect(next.p90Ms).toBeGreaterThan(next.p50Ms);
      previous = next;
    }
  });

  it("stays monotonic where it switches from the exact inversion to Wilson–Hilferty", () => {
    for (const q of ["p50", "p90"] as const) {
      const exact = erlangQuantile(100, q);
      const approximated = erlangQuantile(101, q);
      expect(approximated).toBeGreaterThan(exact);
      expect(approximated - exact).toBeLessThan(1.1);
    }
  });

  it("falls as serving capacity grows", () => {
    expect(estimate({ position: 10, servingCapacity: 8 }).p50Ms).toBeLessThan(
      estimate({ position: 10, servingCapacity: 4 }).p50Ms,
    );
  });

  it("is zero and known when free capacity covers the position", () => {
    expect(estimate({ position: 3, freeCapacity: 3 })).toEqual({ p50Ms: 0, p90Ms: 0, known: true });
    expect(estimate({ position: 1, freeCapacity: 1, handleTimesMs: [] })).toEqual({ p50Ms: 0, p90Ms: 0, known: true });
  });

  it("waits for fewer releases when part of the capacity is free", () => {
    expect(estimate({ position: 6, freeCapacity: 2 })).toEqual(estimate({ position: 4, freeCapacity: 0 }));
  });

  it("is unknown without serving capacity or with too few handle times", () => {
    expect(estimate({ position: 1, servingCapacity: 0 })).toEqual({ p50Ms: 0, p90Ms: 0, known: false });
    const few = handleTimesMs.slice(0, MIN_HANDLE_TIME_SAMPLES - 1);
    expect(estimate({ position: 1, handleTimesMs: few })).toEqual({ p50Ms: 0, p90Ms: 0, known: false });
    expect(estimate({ position: 1, handleTimesMs: [...few, Number.NaN] }).known).toBe(false);
    expect(estimate({ position: 1, handleTimesMs: handleTimesMs.slice(0, MIN_HANDLE_TIME_SAMPLES) }).known).toBe(true);
  });

  it("gives whole milliseconds", () => {
    const { p50Ms, p90Ms } = estimate({ position: 7, servingCapacity: 3, handleTimesMs: [1001, 999, 1003, 997, 1000] });
    expect(Number.isInteger(p50Ms) && Number.isInteger(p90Ms)).toBe(true);
  });

  it("refuses a position below 1", () => {
    expect(() => estimate({ position: 0 })).toThrow(RangeError);
  });
});

describe("erlangQuantile", () => {
  it("is the exponential quantile -ln(1 - p) for one release", () => {
    expect(erlangQuantile(1, "p50")).toBeCloseTo(Math.LN2, 9);
    expect(erlangQuantile(1, "p90")).toBeCloseTo(Math.log(10), 9);
  });

  it("agrees with known Gamma quantiles", () => {
    // Gamma(shape, 1) quantiles, e.g. from R's qgamma(p, shape).
    expect(erlangQuantile(2, "p50")).toBeCloseTo(1.678347, 5);
    expect(erlangQuantile(5, "p90")).toBeCloseTo(7.99359, 4);
    expect(erlangQuantile(10, "p50")).toBeCloseTo(9.668715, 5);
  });

  it.each([101, 250, 600])("stays within 0.1%% of the exact quantile for %i releases (Wilson–Hilferty)", (shape) => {
    for (const [q, p] of [
      ["p50", 0.5],
      ["p90", 0.9],
    ] as const) {
      expect(Math.abs(erlangQuantile(shape, q) / exactGammaQuantile(shape, p) - 1)).toBeLessThan(0.001);
    }
  });
});

describe("robustMeanHandleTimeMs", () => {
  it("is close to the mean of exponential handle times", () => {
    expect(robustMeanHandleTimeMs(handleTimesMs) / MEAN_HANDLE_MS).toBeGreaterThan(0.95);
    expect(robustMeanHandleTimeMs(handleTimesMs) / MEAN_HANDLE_MS).toBeLessThan(1.01);
  });

  it("is not dragged up by a session left open for hours", () => {
    const typical = [300_000, 280_000, 320_000, 310_000, 290_000, 305_000, 295_000, 300_000, 300_000];
    const withForgotten = [...typical, 8 * 3_600_000];
    expect(robustMeanHandleTimeMs(withForgotten)).toBeLessThan(1.5 * 300_000);
  });
});
