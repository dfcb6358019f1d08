import type { QueueRef } from "./session-facts";

/** A queue entry still waiting (neither answered, abandoned nor requeued). */
export interface WaitingEntry {
  queue: QueueRef;
  waitStartedAtMs: number;
  /** The latest known estimate shown to its customer: given at, P50. */
  estimate: { givenAtMs: number; p50Ms: number } | null;
}

/** A rep as the latest events say: state since when, his teams, his sessions now. */
export interface RepNow {
  repId: string;
  state: string;
  reasonCode: string;
  sinceMs: number;
  teamIds: string[];
  /** Accepted sessions whose part has not ended. */
  load: number;
}

export interface QueueNow {
  queue: QueueRef;
  waiting: number;
  /** null when nothing waits. */
  longestWaitMs: number | null;
  /** The latest known estimate given in the queue; null when none is known. */
  ewtP50Ms: number | null;
  /** Team queues only: logged-in reps of the team by state; `onSession` hold at least one session. */
  reps: { available: number; busy: number; away: number; onSession: number } | null;
}

const STATE_COUNTS: Record<string, "available" | "busy" | "away" | undefined> = {
  REP_STATE_AVAILABLE: "available",
  REP_STATE_BUSY: "busy",
  REP_STATE_AWAY: "away",
};

const key = (queue: QueueRef) => `${queue.kind}:${queue.id}`;

/**
 * Each queue now: every team some rep is logged in to, and every queue something waits in. Longest
 * wait is now − the oldest waiting entry's start (METRICS.md `longest_wait_ms`).
 */
export function queuesNow(waiting: readonly WaitingEntry[], reps: readonly RepNow[], nowMs: number): QueueNow[] {
  const queues = new Map<string, QueueNow>();
  const queueOf = (queue: QueueRef) => {
    let q = queues.get(key(queue));
    if (!q) {
      q = {
        queue,
        waiting: 0,
        longestWaitMs: null,
        ewtP50Ms: null,
        reps: queue.kind === "team" ? { available: 0, busy: 0, away: 0, onSession: 0 } : null,
      };
      queues.set(key(queue), q);
    }
    return q;
  };
  const latestEstimate = new Map<string, number>();
  for (const entry of waiting) {
    const q = queueOf(entry.queue);
    q.waiting += 1;
    q.longestWaitMs = Math.max(q.longestWaitMs ?? 0, nowMs - entry.waitStartedAtMs);
    if (entry.estimate && entry.estimate.givenAtMs >= (latestEstimate.get(key(entry.queue)) ?? -1)) {
      latestEstimate.set(key(entry.queue), entry.estimate.givenAtMs);
      q.ewtP50Ms = entry.estimate.p50Ms;
    }
  }
  for (const rep of reps) {
    const counted = STATE_COUNTS[rep.state];
    for (const teamId of rep.teamIds) {
      const counts = queueOf({ kind: "team", id: teamId }).reps!;
      if (counted) counts[counted] += 1;
      if (rep.load > 0) counts.onSession += 1;
    }
  }
  return [...queues.values()].sort((a, b) => key(a.queue).localeCompare(key(b.queue)));
}
