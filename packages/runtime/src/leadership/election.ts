import type { Logger } from "../logging/logger";
import { LeadershipState, within, type Leadership } from "./leadership";

/** What differs between a Redis lock and a Kubernetes Lease; the rounds around them are the same. */
export interface ElectionBackend {
  /** "lock" or "lease", for log lines. */
  noun: string;
  /** Identifies the election in log lines, e.g. `{ lock: key, holderId }`. */
  context: Record<string, unknown>;
  logger: Logger;
  /** Takes the lock or lease when free, or renews it when held; false when another replica holds it. */
  acquireOrRenew(isLeader: boolean): Promise<boolean>;
  /** Gives it up if still held, so another replica takes over at once. */
  release(): Promise<void>;
  /** A round's failure, for the log (its level may depend on whether this replica led). */
  onRoundError(error: unknown, isLeader: boolean): void;
  /** How long after a renewal was sent this replica may still believe it leads. */
  validForMs: number;
  /** How often the leader renews and the others try. */
  roundEveryMs: number;
  /** Bound on waiting for a stuck round or the release at stop; the lock or lease lapses by itself. */
  stopBoundMs: number;
}

/**
 * Runs acquire-or-renew rounds. The leader steps down at once when a round fails or finds the
 * lock/lease taken, and also `validForMs` after it sent its last successful renewal: by then the
 * store may have let it lapse and another replica taken it, whether or not a slow reply is on its way.
 */
export function runElection(backend: ElectionBackend): Leadership {
  const { noun, validForMs } = backend;
  const state = new LeadershipState(backend.logger, backend.context);
  let stopped = false;
  let nextRound: NodeJS.Timeout | undefined;
  let expiry: NodeJS.Timeout | undefined;
  let round = Promise.resolve();

  const holdUntil = (sentAt: number) => {
    clearTimeout(expiry);
    expiry = setTimeout(() => state.set(false, `${noun} not renewed in time`), sentAt + validForMs - performance.now());
    expiry.unref();
  };

  const runRound = async () => {
    const sentAt = performance.now();
    try {
      const held = await backend.acquireOrRenew(state.isLeader);
      if (stopped) return;
      if (held && performance.now() < sentAt + validForMs) {
        holdUntil(sentAt);
        state.set(true, `${noun} acquired`);
      } else {
        clearTimeout(expiry);
        state.set(false, held ? `${noun} renewal answered too late` : `${noun} held by another replica`);
      }
    } catch (error) {
      if (stopped) return;
      backend.onRoundError(error, state.isLeader);
      clearTimeout(expiry);
      state.set(false, `${noun} renewal failed`);
    }
  };

  const schedule = () => {
    if (stopped) return;
    round = runRound().then(() => {
      if (stopped) return;
      nextRound = setTimeout(schedule, backend.roundEveryMs);
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
      // A round stuck on an unanswered call must not hold up shutdown.
      await within(round, backend.stopBoundMs, undefined);
      state.set(false, "stopped");
      // Released even when not leader: a round cut short by stop() may have just taken it.
      const released = backend.release().catch((error: unknown) => {
        backend.logger.warn(
          { ...backend.context, err: error },
          `could not release the leader ${noun}; it expires by itself`,
        );
      });
      await within(released, backend.stopBoundMs, undefined);
    },
  };
}
