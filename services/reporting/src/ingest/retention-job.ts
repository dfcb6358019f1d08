import { startBackgroundLoop, type BackgroundLoop, type Logger } from "@handoff/runtime";
import type { RetentionStore } from "../store/retention-store";

const DAY_MS = 86_400_000;

export interface RetentionBounds {
  /** Rows (or sessions) one delete takes at most: one short transaction each. */
  batchSize: number;
  /** Deletes of each kind one sweep makes at most; what is left waits for the next sweep. */
  maxBatchesPerSweep: number;
}

export const RETENTION_BOUNDS: RetentionBounds = { batchSize: 1_000, maxBatchesPerSweep: 100 };

export interface SweepResult {
  sessions: number;
  events: number;
  repFacts: number;
  deadLetters: number;
  /** True when a kind hit maxBatchesPerSweep, so older rows may be left for the next sweep. */
  more: boolean;
}

/**
 * One sweep: sessions first (their events go with them), then the remaining old events, rep facts
 * and dead letters, each in batches until a batch comes back short or the bound of batches is reached.
 */
export async function sweepRetention(
  store: RetentionStore,
  nowMs: number,
  retentionDays: number,
  bounds: RetentionBounds = RETENTION_BOUNDS,
): Promise<SweepResult> {
  const cutoffMs = nowMs - retentionDays * DAY_MS;
  let more = false;
  const drain = async (expire: (cutoff: number, limit: number) => Promise<number>) => {
    let total = 0;
    for (let batch = 0; batch < bounds.maxBatchesPerSweep; batch++) {
      const deleted = await expire(cutoffMs, bounds.batchSize);
      total += deleted;
      if (deleted < bounds.batchSize) return total;
    }
    more = true;
    return total;
  };
  const sessions = await drain((cutoff, limit) => store.expireSessions(cutoff, limit));
  const events = await drain((cutoff, limit) => store.expireEvents(cutoff, limit));
  const repFacts = await drain((cutoff, limit) => store.expireRepFacts(cutoff, limit));
  const deadLetters = await drain((cutoff, limit) => store.expireDeadLetters(cutoff, limit));
  return { sessions, events, repFacts, deadLetters, more };
}

/**
 * Sweeps every `intervalMs` (at once again while a sweep left rows behind). Every replica runs it;
 * the deletes of two replicas at once only compete for the same rows, which is harmless.
 */
export function startRetentionJob(
  store: RetentionStore,
  logger: Logger,
  options: { retentionDays: number; intervalMs: number },
): BackgroundLoop {
  return startBackgroundLoop("retention", logger, async () => {
    const result = await sweepRetention(store, Date.now(), options.retentionDays);
    if (result.sessions + result.events + result.repFacts + result.deadLetters > 0)
      logger.info({ ...result, retentionDays: options.retentionDays }, "retention sweep deleted expired rows");
    return result.more ? 0 : options.intervalMs;
  });
}
