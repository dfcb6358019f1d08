/** Priority is an integer 0..MAX_PRIORITY; higher is served first. */
export const MAX_PRIORITY = 1000;

/** Ids end up inside Redis keys (`hq:{site}:q:<team>`) and comma lists: the contract fixes their alphabet. */
export { ID_PATTERN, MAX_ID_LENGTH } from "@handoff/proto";

export const MAX_SKILLS = 32;

export const MIN_OFFER_TIMEOUT_MS = 100;
export const MAX_OFFER_TIMEOUT_MS = 600_000;
export const DEFAULT_OFFER_TIMEOUT_MS = 30_000;

export const MAX_OVERFLOW_STEPS = 8;
export const MAX_TEAMS = 500;
export const MAX_PROBLEM_TYPES = 2000;

export { MAX_LABEL_LENGTH } from "@handoff/proto";

/** Reps listed as members of one team. */
export const MAX_TEAM_MEMBERS = 10_000;

/** Reps one SubscribeOffers stream may watch. */
export const MAX_SUBSCRIBED_REPS = 1_000;

/** Sessions one BatchGetSessionRouting call may ask for. */
export const MAX_BATCH_SESSIONS = 1_000;

/**
 * A waiting customer's page asks for his position every few seconds; one recorded estimate per
 * session per this interval (and per epoch) is enough to report the estimates' error. The default of
 * the acd's `ESTIMATE_RECORD_INTERVAL_MS` setting.
 */
export const ESTIMATE_RECORD_INTERVAL_MS = 30_000;
