import type { Bucket, Buckets } from "./buckets";
import { figureGroupKey, groupOf, type FigureGroup, type GroupedSession, type GroupOf } from "./figure-groups";
import type { QueueEntryRow, QueueRef, SessionFacts } from "./session-facts";
import { mean, nearestRank, ratio } from "./statistics";

export interface QueueFigureSettings {
  /** X of "answered within X", per queue (METRICS.md: per team, default 20 s); at or below counts. */
  answerThresholdMs(queue: QueueRef): number;
  /** The site's short-abandon threshold (default 5 s); strictly below counts as short. */
  shortAbandonMs: number;
}

/**
 * The figures of one queue (or group of queues) in one bucket (METRICS.md "Counts per queue and
 * interval", "Ratios and times").
 */
export interface QueueFigures {
  queue: FigureGroup;
  bucket: Bucket;
  queued: number;
  answered: number;
  answeredWithinX: number;
  abandoned: number;
  shortAbandoned: number;
  offersCreated: number;
  offersAccepted: number;
  offersRejected: number;
  offersExpired: number;
  offersWithdrawn: number;
  transfersIn: number;
  transfersOut: number;
  serviceLevel: number | null;
  abandonRate: number | null;
  asaMs: number | null;
  asaP50Ms: number | null;
  asaP90Ms: number | null;
  ahtMs: number | null;
  offerAcceptRate: number | null;
  csat: number | null;
  csatTop2: number | null;
  ewtAbsErrorMs: number | null;
  ewtP90Coverage: number | null;
}

/** What the queue figures read of a session's facts. */
export type QueueFactsOfSession = Pick<SessionFacts, "entries" | "offers" | "parts" | "estimates" | "surveys"> &
  GroupedSession;

interface Tally {
  queue: FigureGroup;
  bucket: Bucket;
  queued: number;
  abandoned: number;
  shortAbandoned: number;
  answeredWithinX: number;
  offers: Record<"created" | "accepted" | "rejected" | "expired" | "withdrawn", number>;
  transfersIn: number;
  transfersOut: number;
  waits: number[];
  handles: number[];
  satisfactions: number[];
  ewtErrors: number[];
  ewtCovered: number;
}

/**
 * Every queue's figures per bucket, from the sessions' fact rows. Each count goes to the bucket of
 * its deciding event: an entry to its entry time, an answer or abandon to its end, an offer outcome
 * to its end, a rep part to its end, a survey to its submission, an estimate's error to the answer.
 * Offers, parts and estimates count for the queue of the entry they belong to. `group` sums queues
 * into rows (each queue its own row by default); thresholds stay those of each entry's own queue.
 */
export function queueFigures(
  sessions: readonly QueueFactsOfSession[],
  buckets: Buckets,
  settings: QueueFigureSettings,
  group: GroupOf = groupOf("queue"),
): QueueFigures[] {
  const tallies = new Map<string, Tally>();
  const tallyOf = (
    facts: QueueFactsOfSession,
    queue: QueueRef | null | undefined,
    atMs: number | null,
  ): Tally | null => {
    const row = queue ? group(queue, facts) : null;
    if (!row || atMs === null) return null;
    const bucket = buckets.of(atMs);
    if (!bucket) return null;
    const key = `${figureGroupKey(row)}|${bucket.startMs}`;
    let t = tallies.get(key);
    if (!t) {
      t = {
        queue: row,
        bucket,
        queued: 0,
        abandoned: 0,
        shortAbandoned: 0,
        answeredWithinX: 0,
        offers: { created: 0, accepted: 0, rejected: 0, expired: 0, withdrawn: 0 },
        transfersIn: 0,
        transfersOut: 0,
        waits: [],
        handles: [],
        satisfactions: [],
        ewtErrors: [],
        ewtCovered: 0,
      };
      tallies.set(key, t);
    }
    return t;
  };

  for (const facts of sessions) {
    const tally = (queue: QueueRef | null | undefined, atMs: number | null) => tallyOf(facts, queue, atMs);
    const entryOf = (entryNo: number | null): QueueEntryRow | undefined =>
      entryNo === null ? undefined : facts.entries[entryNo - 1];
    for (const entry of facts.entries) {
      const entered = tally(entry.queue, entry.enteredAtMs);
      if (entered) {
        entered.queued += 1;
        if (entry.cause === "transferred") entered.transfersIn += 1;
      }
      const ended = tally(entry.queue, entry.endedAtMs);
      if (!ended || entry.waitMs === null) continue;
      if (entry.outcome === "answered") {
        ended.waits.push(entry.waitMs);
        if (entry.waitMs <= settings.answerThresholdMs(entry.queue)) ended.answeredWithinX += 1;
      } else if (entry.outcome === "abandoned") {
        ended.abandoned += 1;
        if (entry.waitMs < settings.shortAbandonMs) ended.shortAbandoned += 1;
      }
    }
    for (const offer of facts.offers) {
      const queue = entryOf(offer.entryNo)?.queue ?? offer.fromQueue;
      const created = tally(queue, offer.createdAtMs);
      if (created) created.offers.created += 1;
      const ended = tally(queue, offer.endedAtMs);
      if (ended && offer.outcome && offer.outcome in ended.offers)
        ended.offers[offer.outcome as keyof Tally["offers"]] += 1;
    }
    for (const part of facts.parts) {
      if (part.endedAtMs === null) continue;
      const ended = tally(entryOf(part.entryNo)?.queue, part.endedAtMs);
      if (!ended) continue;
      ended.handles.push(part.endedAtMs - part.acceptedAtMs);
      if (part.endCause === "transferred") ended.transfersOut += 1;
    }
    for (const survey of facts.surveys)
      tally(survey.queue, survey.submittedAtMs)?.satisfactions.push(survey.satisfaction);
    for (const estimate of facts.estimates) {
      if (!estimate.known || estimate.answeredAtMs === null) continue;
      const answered = tally(entryOf(estimate.entryNo)?.queue, estimate.answeredAtMs);
      if (!answered) continue;
      const remainingMs = estimate.answeredAtMs - estimate.givenAtMs;
      answered.ewtErrors.push(Math.abs(remainingMs - estimate.p50Ms));
      if (remainingMs <= estimate.p90Ms) answered.ewtCovered += 1;
    }
  }

  return [...tallies.values()]
    .sort(
      (a, b) => a.bucket.startMs - b.bucket.startMs || figureGroupKey(a.queue).localeCompare(figureGroupKey(b.queue)),
    )
    .map((t) => {
      const answered = t.waits.length;
      const counted = answered + t.abandoned - t.shortAbandoned;
      return {
        queue: t.queue,
        bucket: t.bucket,
        queued: t.queued,
        answered,
        answeredWithinX: t.answeredWithinX,
        abandoned: t.abandoned,
        shortAbandoned: t.shortAbandoned,
        offersCreated: t.offers.created,
        offersAccepted: t.offers.accepted,
        offersRejected: t.offers.rejected,
        offersExpired: t.offers.expired,
        offersWithdrawn: t.offers.withdrawn,
        transfersIn: t.transfersIn,
        transfersOut: t.transfersOut,
        serviceLevel: ratio(t.answeredWithinX, counted),
        abandonRate: ratio(t.abandoned - t.shortAbandoned, counted),
        asaMs: mean(t.waits),
        asaP50Ms: nearestRank(t.waits, 50),
        asaP90Ms: nearestRank(t.waits, 90),
        ahtMs: mean(t.handles),
        offerAcceptRate: ratio(t.offers.accepted, t.offers.created),
        csat: mean(t.satisfactions),
        csatTop2: ratio(t.satisfactions.filter((s) => s >= 4).length, t.satisfactions.length),
        ewtAbsErrorMs: mean(t.ewtErrors),
        ewtP90Coverage: ratio(t.ewtCovered, t.ewtErrors.length),
      };
    });
}
