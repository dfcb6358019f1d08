/**
 * The M/M/c queue's steady state (Erlang C): Poisson arrivals at `arrivalRatePerSecond`, `servers`
 * identical servers, exponential service with mean `meanServiceSeconds`, an infinite FIFO queue and no
 * abandonment. Pure: the end-to-end bench prints it beside what it measured.
 */
export interface ErlangCInput {
  arrivalRatePerSecond: number;
  meanServiceSeconds: number;
  servers: number;
}

export interface ErlangCPrediction {
  /** Offered load a = λ·s, in Erlangs. */
  offeredLoad: number;
  /** Utilisation ρ = a / c. */
  utilisation: number;
  /** Probability that an arrival waits (all servers busy): C(c, a). */
  probabilityOfWaiting: number;
  /** Mean time in the queue over all arrivals, seconds: C · s / (c − a). */
  meanWaitSeconds: number;
  /** Mean wait of those who wait, seconds: s / (c − a). */
  meanWaitOfWaitersSeconds: number;
  /** P(wait > t) = C · e^(−(c − a)·t/s), the service-level curve. */
  probabilityWaitExceeds(seconds: number): number;
}

/**
 * Erlang C through the Erlang B recursion (B₀ = 1, Bₖ = a·Bₖ₋₁ / (k + a·Bₖ₋₁)), which stays
 * finite for hundreds of servers where the textbook factorials overflow; C = B / (1 − ρ(1 − B)).
 * Refuses an unstable queue (a ≥ c): it has no steady state.
 */
export function erlangC(input: ErlangCInput): ErlangCPrediction {
  const { arrivalRatePerSecond: lambda, meanServiceSeconds: s, servers: c } = input;
  if (!(lambda > 0) || !Number.isFinite(lambda)) throw new RangeError("arrivalRatePerSecond must be positive");
  if (!(s > 0) || !Number.isFinite(s)) throw new RangeError("meanServiceSeconds must be positive");
  if (!Number.isInteger(c) || c < 1) throw new RangeError("servers must be a positive integer");
  const a = lambda * s;
  if (a >= c) throw new RangeError(`unstable: offered load ${a.toFixed(2)} Erlangs ≥ ${c} servers`);
  let blocking = 1;
  for (let k = 1; k <= c; k++) blocking = (a * blocking) / (k + a * blocking);
  const rho = a / c;
  const probabilityOfWaiting = blocking / (1 - rho * (1 - blocking));
  const meanWaitOfWaitersSeconds = s / (c - a);
  return {
    offeredLoad: a,
    utilisation: rho,
    probabilityOfWaiting,
    meanWaitSeconds: probabilityOfWaiting * meanWaitOfWaitersSeconds,
    meanWaitOfWaitersSeconds,
    probabilityWaitExceeds: (t) => probabilityOfWaiting * Math.exp((-(c - a) * t) / s),
  };
}
