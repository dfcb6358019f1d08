import type { Logger } from "../logging/logger";
import type { RedisClient } from "../redis/connection";
import { LeadershipState, within, type Leadership } from "./leadership";

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
  const validForMs = ttlMs - Math.ceil(ttlMs / 10);
  const state = new LeadershipState(logger, { lock: key, holderId });
  let stopped = false;
  let nextRound: NodeJS.Timeout | undefined;
  let expiry: NodeJS.Timeout | undefined;
  let round = Promise.resolve();

  const renewIfHeld = async () => (await redis.eval(RENEW_IF_HELD, 1, key, holderId, ttlMs)) === 1;

  const acquireOrRenew = async (): Promise<boolean> => {
    if (state.isLeader) return renewIfHeld();
    if ((await redis.set(key, holderId, "PX", ttlMs, "NX")) === "OK") return true;
    // Still ours after a renewal that failed on our side: nobody else can have held it meanwhile.
    return renewIfHeld();
  };

  const holdUntil = (sentAt: number) => {
    clearTimeout(expiry);
    expiry = setTimeout(() => state.set(false, "lock not renewed in time"), sentAt + validForMs - performance.now());
    expiry.unref();
  };

  const runRound = async () => {
    const sentAt = performance.now();
    try {
      const held = await acquireOrRenew();
      if (stopped) return;
      if (held && performance.now() < sentAt + validForMs) {
        holdUntil(sentAt);
        state.set(true, "lock acquired");
      } else {
        clearTimeout(expiry);
        state.set(false, held ? "lock renewal answered too late" : "lock held by another replica");
      }
    } catch (error) {
      if (stopped) return;
      if (state.isLeader) logger.warn({ err: error, lock: key }, "could not renew the leadership lock");
      else logger.debug({ err: error, lock: key }, "could not try the leadership lock");
      clearTimeout(expiry);
      state.set(false, "lock renewal failed");
    }
  };

  const schedule = () => {
    if (stopped) return;
    round = runRound().then(() => {
      if (stopped) return;
      nextRound = setTimeout(schedule, renewEveryMs);
      nextRound.unref();
    });
  };
  schedule();

  return {
    get isLeader() {
      return state.isLeader;
    },
    onChange: (listener) => state.onChange(listener),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(nextRound);
      clearTimeout(expiry);
      // A round stuck on an unanswered call must not hold up shutdown; the lock lapses by itself.
      await within(round, ttlMs, undefined);
      state.set(false, "stopped");
      // Released even when not leader: a round cut short by stop() may have just taken the lock. Past ttlMs
      // the lock is gone anyway, so a dead connection does not hold up shutdown longer than that.
      const release = redis.eval(RELEASE_IF_HELD, 1, key, holderId).catch((error: unknown) => {
        logger.warn({ err: error, lock: key }, "could not release the leadership lock; it expires by itself");
      });
      await within(release, ttlMs, undefined);
    },
  };
}
