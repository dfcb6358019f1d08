import { SESSION_KEY_LENGTH } from "./credential-policy";

/**
 * How many failed redemptions (session keys, invitations and access links alike) are allowed before
 * redemptions are refused for a while, and what that means for a key guesser.
 *
 * A session key is 10 Crockford base32 characters: N = 32^10 = 2^50 ≈ 1.13e15 keys. With K live keys
 * one guess hits one of them with probability K/N, so g guesses hit one with probability
 * 1 − (1 − K/N)^g ≤ g·K/N. For K = 1,000 and at most 1e-6 a day: g ≤ 1e-6·N/K ≈ 1.13e6 guesses a day.
 *
 * Failures are counted in sliding windows: a scope with `maxFailures` failures in the last
 * `windowMs` is locked until the oldest of them leaves the window, so no window of that length ever
 * holds more than `maxFailures`, and a day at most maxFailures·⌈day/windowMs⌉.
 * - Per client address (an IPv6 /64 counts as one address), over every site: 10 per 15 minutes,
 *   960 a day. This is what a customer who mistypes meets.
 * - Per site, from all addresses together (a guesser with many addresses): 5,000 per 10 minutes,
 *   720,000 a day, so P ≤ 720,000·1,000/2^50 ≈ 6.4e-7 a day at 1,000 live keys. Keys are bound to
 *   their site (the HMAC covers it), so guesses at several sites hit at most Σ g·K_site/N =
 *   g·K_total/N: the bound holds for 1,000 live keys in all, and one site under attack does not lock
 *   out the others.
 * A refused (locked) attempt checks nothing and does not count; a malformed key is not a guess either.
 */
export interface WindowLimit {
  maxFailures: number;
  windowMs: number;
}

export interface RedemptionLimits {
  /** @default 10 failures per 15 minutes */
  perAddress: WindowLimit;
  /** @default 5,000 failures per 10 minutes */
  perSite: WindowLimit;
}

const MINUTE = 60_000;
export const DAY_MS = 24 * 60 * MINUTE;

export const DEFAULT_REDEMPTION_LIMITS: RedemptionLimits = {
  perAddress: { maxFailures: 10, windowMs: 15 * MINUTE },
  perSite: { maxFailures: 5_000, windowMs: 10 * MINUTE },
};

/** How many session keys there are. */
export const SESSION_KEY_SPACE = 32 ** SESSION_KEY_LENGTH;

/**
 * What the store found for one attempt: in each scope, the time of the `maxFailures`-th newest other
 * failure within the window (null when there are fewer). With that many already, this attempt
 * would be one too many.
 */
export interface RedemptionWindow {
  nowMs: number;
  addressNthFailureAtMs: number | null;
  siteNthFailureAtMs: number | null;
}

export type RedemptionDecision =
  { allowed: true } | { allowed: false; scope: "address" | "site"; retryAfterMs: number };

/** Whether an attempt may check its credential, or how long its scope stays locked. */
export function decideRedemption(window: RedemptionWindow, limits: RedemptionLimits): RedemptionDecision {
  const lockedUntil = (nthAtMs: number | null, limit: WindowLimit): number =>
    nthAtMs !== null && nthAtMs > window.nowMs - limit.windowMs ? nthAtMs + limit.windowMs : 0;
  const address = lockedUntil(window.addressNthFailureAtMs, limits.perAddress);
  const site = lockedUntil(window.siteNthFailureAtMs, limits.perSite);
  if (address === 0 && site === 0) return { allowed: true };
  return {
    allowed: false,
    scope: site > address ? "site" : "address",
    retryAfterMs: Math.max(1, Math.max(address, site) - window.nowMs),
  };
}

/** Failures older than this are of no use to any window and may be pruned. */
export const failuresNeededSince = (nowMs: number, limits: RedemptionLimits): number =>
  nowMs - Math.max(limits.perAddress.windowMs, limits.perSite.windowMs);

/** The most failed guesses a day the limits let through in one scope. */
export const failuresPerDay = (limit: WindowLimit): number => limit.maxFailures * Math.ceil(DAY_MS / limit.windowMs);

export interface GuessingOdds {
  /** Guesses a day at one site from any number of addresses. */
  guessesPerDay: number;
  /** Guesses a day from one client address. */
  guessesPerDayPerAddress: number;
  /** Probability that a day's guesses hit any of `liveKeys`: 1 − (1 − K/N)^g. */
  probability: number;
  /** Its union bound g·K/N (what the derivation above uses). */
  probabilityBound: number;
}

export function guessingOdds(limits: RedemptionLimits, liveKeys: number, keySpace = SESSION_KEY_SPACE): GuessingOdds {
  const guessesPerDay = failuresPerDay(limits.perSite);
  const perGuess = liveKeys / keySpace;
  return {
    guessesPerDay,
    guessesPerDayPerAddress: failuresPerDay(limits.perAddress),
    // -expm1(g·log1p(-p)) = 1 − (1 − p)^g without losing the small p to rounding.
    probability: -Math.expm1(guessesPerDay * Math.log1p(-perGuess)),
    probabilityBound: guessesPerDay * perGuess,
  };
}

/**
 * The bucket a client address counts in: IPv4 as is (also when IPv4-mapped), IPv6 by its /64
 * (one subscriber usually holds a whole /64, so counting single IPv6 addresses would limit nothing),
 * anything else lower-cased.
 */
export function addressBucket(address: string): string {
  const value = address.trim().toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(value);
  if (mapped) return mapped[1]!;
  if (!value.includes(":")) return value;
  const groups = expandIPv6(value);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : value;
}

/** The eight 16-bit groups of an IPv6 address (no zone, no embedded IPv4), or undefined. */
function expandIPv6(value: string): string[] | undefined {
  const halves = value.split("::");
  if (halves.length > 2) return undefined;
  const part = (s: string | undefined) => (s ? s.split(":") : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(Math.max(0, missing)).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return groups.map((g) => g.replace(/^0+(?=.)/, ""));
}
