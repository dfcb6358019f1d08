import type { Logger } from "../logging/logger";
import type { RedisClient } from "../redis/connection";
import { runElection } from "./election";
import type { Leadership } from "./leadership";

export interface RedisLeadershipOptions {
  /** The lock's key; any key works on Redis Cluster (one key per script). */
  key: string;
  /** Unique per process: a restarted process must not mistake its predecessor's lock for its own. */
  holderId: string;
  /** How long the lock outlives its last renewal; a dead leader is replaced within about this. @default 3000 */
  ttlMs?: number;
  /** How often the leader renews and the others try to acquire. @default ttlMs / 3 */
  renewEveryMs?: number;
  logger: Logger;
}

/** Extends the lock only while it is still ours. KEYS[1] lock; ARGV[1] holder, ARGV[2] ttl ms → 1 or 0. */
const RENEW_IF_HELD = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`;
/** Deletes the lock only while it is still ours. KEYS[1] lock; ARGV[1] holder → 1 or 0. */
const RELEASE_IF_HELD = `if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`;

/**
 * Competes for a Redis lock (`SET key holder NX PX ttl`), renewing it every `renewEveryMs` while held.
 *
 * The leader steps down at once when a renewal fails or finds the lock gone, and also when `ttlMs` (less a
 * tenth for timer lateness) has passed since it sent its last successful renewal: by then Redis may have
 * expired the lock and another replica taken it, whether or not a slow reply is still on its way.
 */
export function startRedisLeadership(redis: RedisClient, options: RedisLeadershipOptions): Leadership {
  const { key, holderId, logger } = options;
  const ttlMs = options.ttlMs ?? 3000;
  const renewEveryMs = options.renewEveryMs ?? Math.floor(ttlMs / 3);
  if (!(renewEveryMs > 0 && renewEveryMs < ttlMs)) {
    throw new RangeError(`renewEveryMs (${renewEveryMs}) must be positive and below ttlMs (${ttlMs})`);
  }
  const renewIfHeld = async () => (await redis.eval(RENEW_IF_HELD, 1, key, holderId, ttlMs)) === 1;

  return runElection({
    noun: "lock",
    context: { lock: key, holderId },
    logger,
    acquireOrRenew: async (isLeader) => {
      if (isLeader) return renewIfHeld();
      if ((await redis.set(key, holderId, "PX", ttlMs, "NX")) === "OK") return true;
      // Still ours after a renewal that failed on our side: nobody else can have held it meanwhile.
      return renewIfHeld();
    },
    release: async () => void (await redis.eval(RELEASE_IF_HELD, 1, key, holderId)),
    onRoundError: (error, isLeader) => {
      if (isLeader) logger.warn({ err: error, lock: key }, "could not renew the leadership lock");
      else logger.debug({ err: error, lock: key }, "could not try the leadership lock");
    },
    // Less a tenth of the ttl for timer lateness.
    validForMs: ttlMs - Math.ceil(ttlMs / 10),
    roundEveryMs: renewEveryMs,
    stopBoundMs: ttlMs,
  });
}
