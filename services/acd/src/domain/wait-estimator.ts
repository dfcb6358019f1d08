/**
 * Estimated wait of a queued session, as P50 and P90.
 *
 * Model. The session is at 1-based position k. The reps serving its queue have S routable slots in all
 * (servingCapacity), F of them free. If F ≥ k, the session is matched as soon as routing runs: wait ≈ 0.
 * Otherwise the first F sessions take the free slots and our session starts at the (k − F)-th slot release
 * after now. Treating handle times as exponential with mean H, each busy slot releases at rate 1/H whatever
 * it has done so far (memoryless), so with all S slots busy releases form a Poisson stream of rate S/H and
 * the gaps between them are independent Exp(S/H). The wait is the sum of k − F such gaps:
 *
 *     W ~ Erlang(k − F, S/H)    i.e. Gamma(shape k − F, scale H/S),  mean (k − F)·H/S
 *
 * and P50/P90 are its quantiles. For shapes up to EXACT_MAX_SHAPE they come from inverting the Erlang CDF
 * 1 − e^(−x)·Σ_{n<k} xⁿ/n! by bisection (memoised: only two quantiles of at most 100 shapes are ever
 * needed); beyond that the Wilson–Hilferty approximation k·(1 − 1/(9k) + z/(3√k))³, whose relative error
 * there is below 10⁻³, keeps the cost constant for long queues.
 *
 * H is estimated from recent handle times (newest first, at most HANDLE_TIME_WINDOW of them). The model
 * needs the MEAN (the release rate is S/H). A median would be robust but underestimates the mean of the
 * right-skewed handle times support sessions have (for exponential times by 31%); a plain mean is dragged
 * up by a few sessions left open for hours. So: the mean after clipping each sample at CLIP_FACTOR times
 * the median — a forgotten session then weighs at most 5 typical ones, and for exponential times the
 * result is within 3% of the true mean.
 *
 * Not modelled, so the estimate is for the session's current position and staffing: sessions of higher
 * priority arriving later (they move it back), reps logging in or out, offers being rejected. Handle times
 * that vary less than exponential ones make the real spread narrower than P50..P90 here. With no serving
 * capacity or fewer than MIN_HANDLE_TIME_SAMPLES handle times there is nothing to base an estimate on:
 * `known` is false and both figures are 0.
 */

export interface WaitEstimateInput {
  /** 1-based position in the queue. */
  position: number;
  /** Sum of the routable capacity of the reps serving the queue, busy slots included. */
  servingCapacity: number;
  /** Of that capacity, the slots free right now. */
  freeCapacity: number;
  /** Recent handle times (offer accepted → session ended), newest first. */
  handleTimesMs: readonly number[];
}

export interface WaitEstimate {
  p50Ms: number;
  p90Ms: number;
  /** False when there was too little to go on; both figures are then 0. */
  known: boolean;
}

export const MIN_HANDLE_TIME_SAMPLES = 5;
export const HANDLE_TIME_WINDOW = 200;
const CLIP_FACTOR = 5;
const EXACT_MAX_SHAPE = 100;

/** Each quantile the estimate gives, with its standard normal z for Wilson–Hilferty. */
const QUANTILES = { p50: { p: 0.5, z: 0 }, p90: { p: 0.9, z: 1.2815515655446004 } } as const;
export type WaitQuantile = keyof typeof QUANTILES;

const UNKNOWN: WaitEstimate = { p50Ms: 0, p90Ms: 0, known: false };
const IMMEDIATE: WaitEstimate = { p50Ms: 0, p90Ms: 0, known: true };

export function estimateWait(input: WaitEstimateInput): WaitEstimate {
  const { position, servingCapacity } = input;
  if (!Number.isInteger(position) || position < 1) {
    throw new RangeError(`position is 1-based, got ${position}`);
  }
  const free = Math.max(0, Math.floor(input.freeCapacity));
  if (free >= position) return IMMEDIATE;
  if (!(servingCapacity > 0)) return UNKNOWN;
  const samples = input.handleTimesMs.slice(0, HANDLE_TIME_WINDOW).filter((ms) => Number.isFinite(ms) && ms >= 0);
  if (samples.length < MIN_HANDLE_TIME_SAMPLES) return UNKNOWN;

  const msPerRelease = robustMeanHandleTimeMs(samples) / servingCapacity;
  const releases = position - free;
  return {
    p50Ms: Math.round(erlangQuantile(releases, "p50") * msPerRelease),
    p90Ms: Math.round(erlangQuantile(releases, "p90") * msPerRelease),
    known: true,
  };
}

/** Mean of the samples clipped at CLIP_FACTOR × their median (see the model above for why). */
export function robustMeanHandleTimeMs(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  const median =
    sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
  const cap = CLIP_FACTOR * median;
  let sum = 0;
  for (const sample of sorted) sum += Math.min(sample, cap);
  return sum / sorted.length;
}

const exactCache = new Map<string, number>();

/** A quantile of Gamma(shape, 1), i.e. of the sum of `shape` unit-mean exponential gaps; shape is an integer ≥ 1. */
export function erlangQuantile(shape: number, quantile: WaitQuantile): number {
  const { p, z } = QUANTILES[quantile];
  if (shape > EXACT_MAX_SHAPE) return wilsonHilferty(shape, z);
  const key = `${shape}:${quantile}`;
  let x = exactCache.get(key);
  if (x === undefined) {
    x = invertErlangCdf(shape, p);
    exactCache.set(key, x);
  }
  return x;
}

function wilsonHilferty(shape: number, z: number): number {
  const c = 1 / (9 * shape);
  return shape * (1 - c + z * Math.sqrt(c)) ** 3;
}

/** P(Gamma(shape, 1) ≤ x) = 1 − e^(−x)·Σ_{n<shape} xⁿ/n!; terms stay in range for shape ≤ 100 and x < 700. */
function erlangCdf(shape: number, x: number): number {
  let term = Math.exp(-x);
  let survival = term;
  for (let n = 1; n < shape; n++) {
    term *= x / n;
    survival += term;
  }
  return 1 - survival;
}

function invertErlangCdf(shape: number, p: number): number {
  let low = 0;
  let high = shape + 10 * Math.sqrt(shape) + 10;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (erlangCdf(shape, mid) < p) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}
