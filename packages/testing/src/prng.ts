/** A seeded pseudo-random generator (mulberry32), so a randomized test's choices can be replayed. */
export interface Prng {
  /** Uniform in [0, 1); a function of its own, so it may be passed on as a random source. */
  next: () => number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
  chance(probability: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Each item kept with `probability`. */
  subset<T>(items: readonly T[], probability: number): T[];
  /** A key drawn with probability proportional to its weight. */
  weighted<K extends string>(weights: Readonly<Record<K, number>>): K;
}

export function prng(seed: number): Prng {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (probability) => next() < probability,
    pick: (items) => {
      if (items.length === 0) throw new Error("pick from an empty list");
      return items[int(0, items.length - 1)]!;
    },
    subset: (items, probability) => items.filter(() => next() < probability),
    weighted: (weights) => {
      const entries = Object.entries(weights) as [keyof typeof weights, number][];
      let roll = next() * entries.reduce((sum, [, w]) => sum + w, 0);
      for (const [key, weight] of entries) {
        roll -= weight;
        if (roll < 0) return key;
      }
      return entries.at(-1)![0];
    },
  };
}

/** The seed from `variable` when set (to replay a failure), else a fresh one. */
export function seedFrom(variable: string): number {
  const given = process.env[variable];
  if (given) {
    const seed = Number(given);
    if (!Number.isInteger(seed)) throw new Error(`${variable} must be an integer, got ${given}`);
    return seed >>> 0;
  }
  return Math.floor(Math.random() * 2 ** 32);
}
