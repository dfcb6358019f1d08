import { MAX_GRPC_MESSAGE_BYTES } from "@handoff/runtime";

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

/** Sessions one BatchGetQueuePositions call may ask for (each is a script call and maybe an event). */
export const MAX_POSITION_BATCH = 500;

/**
 * A waiting customer's page asks for his position every few seconds; one recorded estimate per
 * session per this interval (and per epoch) is enough to report the estimates' error. The default of
 * the acd's `ESTIMATE_RECORD_INTERVAL_MS` setting.
 */
export const ESTIMATE_RECORD_INTERVAL_MS = 30_000;

/**
 * A capacity push may move a rep's version at most this far above the one the acd holds (0 for a rep
 * it does not know): presence's counter grows by one per change of the rep, so only a lost store or a
 * push from elsewhere jumps further, and a version pinned near 2^53 would be out of presence's reach.
 */
export const MAX_CAPACITY_VERSION_STEP = 10_000;

/**
 * A routing config's encoded size as GetRoutingConfig answers it (with its version): half the gRPC
 * message limit, so the answer always fits in one message on every client (issue 11: a config just
 * under 4 MiB was accepted and its answer did not fit).
 */
export const MAX_ROUTING_CONFIG_BYTES = MAX_GRPC_MESSAGE_BYTES / 2;
