import {
  abandonReasonToJSON,
  endReasonToJSON,
  routingStrategyToJSON,
  sessionStateToJSON,
  startMethodToJSON,
  type QueueTarget,
} from "@handoff/proto/common";
import type { RoutingEvent, SessionEvent } from "@handoff/proto/events";
import type {
  HandledPartRow,
  OfferOutcome,
  OfferRow,
  QueueEntryRow,
  QueueRef,
  SessionFacts,
  SessionRow,
  SurveyRow,
  WaitEstimateRow,
} from "./session-facts";

/** Everything known about one session: its routing events in event order, its session events by sequence. */
export interface SessionHistory {
  siteId: string;
  sessionId: string;
  routing: readonly RoutingEvent[];
  sessions: readonly SessionEvent[];
}

export function queueRef(target: QueueTarget | undefined): QueueRef | null {
  switch (target?.target?.$case) {
    case "teamId":
      return { kind: "team", id: target.target.teamId };
    case "repId":
      return { kind: "rep", id: target.target.repId };
    default:
      return null;
  }
}

/** Requeue reasons of an acceptance the broker never committed (acd's requeueSession). */
const UNCOMMITTED = new Set(["commit_failed", "reconciler"]);

/**
 * Derives a session's fact rows from its whole history. A pure function of the set of events (the
 * caller sorts them by event time), so redelivered, late or replayed events give the same rows.
 *
 * The routing events tell the queue story (METRICS.md "Queue entry"): a SessionQueued or a
 * SessionTransferred opens an entry, an OfferAccepted or SessionAbandoned ends it, and offers are keyed
 * by their fencing token (the epoch every event of one offer carries). A SessionQueued the acd marked
 * `rebuilt` (after Redis lost data) opens an entry only when none is open and no rep holds the session,
 * since the original SessionQueued is normally in the log already. The session events add what only
 * the broker knows: creation, the end reason, surveys.
 */
export function deriveSessionFacts(history: SessionHistory): SessionFacts {
  const entries: QueueEntryRow[] = [];
  const offers = new Map<number, OfferRow>();
  const parts: HandledPartRow[] = [];
  const estimates: WaitEstimateRow[] = [];
  const session: SessionRow = {
    createdAtMs: null,
    startMethod: null,
    problemTypeId: null,
    queuedAtMs: null,
    firstOfferedAtMs: null,
    answeredAtMs: null,
    abandonedAtMs: null,
    abandonReason: null,
    endedAtMs: null,
    endReason: null,
    finalState: null,
    transfers: 0,
    offers: 0,
  };
  let openEntry: QueueEntryRow | undefined;
  let openOffer: OfferRow | undefined;
  let openPart: HandledPartRow | undefined;
  /** Fencing tokens of the offers the acd said were accepted. */
  const acceptedEpochs = new Set<number>();

  const endOffer = (outcome: OfferOutcome, at: number, epoch?: number) => {
    const offer = (epoch === undefined ? undefined : offers.get(epoch)) ?? openOffer;
    if (!offer || offer.outcome !== null) return;
    offer.outcome = outcome;
    offer.endedAtMs = at;
    if (offer === openOffer) openOffer = undefined;
  };
  const openNewEntry = (
    row: Omit<
      QueueEntryRow,
      "entryNo" | "outcome" | "endedAtMs" | "waitMs" | "answeredByRepId" | "abandonReason" | "acdWaitedMs"
    >,
  ) => {
    openEntry = {
      ...row,
      entryNo: entries.length + 1,
      outcome: null,
      endedAtMs: null,
      waitMs: null,
      answeredByRepId: null,
      abandonReason: null,
      acdWaitedMs: null,
    };
    entries.push(openEntry);
  };

  /** The last acceptance, so that one the broker never committed can be undone. */
  let lastAnswer:
    { part: HandledPartRow; entry?: QueueEntryRow; offer?: OfferRow; answeredBefore: number | null } | undefined;
  const answer = (repId: string, at: number, epoch: number, acdWaitedMs: number) => {
    const offer = offers.get(epoch) ?? openOffer;
    const answeredBefore = session.answeredAtMs;
    endOffer("accepted", at, epoch);
    const entry = openEntry;
    if (entry) {
      entry.outcome = "answered";
      entry.endedAtMs = at;
      entry.waitMs = at - entry.waitStartedAtMs;
      entry.answeredByRepId = repId;
      entry.acdWaitedMs = acdWaitedMs;
    }
    openPart = {
      partNo: parts.length + 1,
      repId,
      entryNo: entry?.entryNo ?? null,
      acceptedAtMs: at,
      endedAtMs: null,
      endCause: null,
      acdHandleMs: null,
    };
    parts.push(openPart);
    lastAnswer = { part: openPart, entry, offer, answeredBefore };
    openEntry = undefined;
    session.answeredAtMs ??= at;
  };
  /**
   * The acd took back an acceptance the broker never committed (its PostgreSQL write failed, or the
   * reconciler found the acd alone holding it): the session waits on in the same entry, as if that
   * offer had been requeued; the rep handled nothing.
   */
  const undoAnswer = (repId: string, at: number): boolean => {
    if (!lastAnswer || openPart !== lastAnswer.part || lastAnswer.part.repId !== repId) return false;
    const { entry, offer, answeredBefore } = lastAnswer;
    parts.pop();
    openPart = undefined;
    if (offer) Object.assign(offer, { outcome: "requeued", endedAtMs: at });
    if (entry) {
      Object.assign(entry, { outcome: null, endedAtMs: null, waitMs: null, answeredByRepId: null, acdWaitedMs: null });
      openEntry = entry;
    }
    session.answeredAtMs = answeredBefore;
    lastAnswer = undefined;
    return true;
  };

  for (const event of history.routing) {
    const at = event.occurredAtMs;
    const { payload } = event;
    switch (payload?.$case) {
      case "sessionQueued": {
        const queued = payload.sessionQueued;
        const queue = queueRef(queued.target);
        if (!queue || openEntry || (queued.rebuilt && openPart)) break;
        openNewEntry({
          queue,
          cause: queued.rebuilt ? "rebuilt" : "queued",
          enteredAtMs: at,
          waitStartedAtMs: queued.enqueuedAtMs || at,
          priority: queued.priority,
        });
        session.queuedAtMs ??= at;
        break;
      }
      case "offerCreated": {
        const created = payload.offerCreated;
        openOffer = {
          epoch: event.epoch,
          entryNo: openEntry?.entryNo ?? null,
          repId: created.repId,
          fromQueue: queueRef(created.fromQueue),
          createdAtMs: at,
          expiresAtMs: created.expiresAtMs,
          outcome: null,
          endedAtMs: null,
          strategy: routingStrategyToJSON(created.decision?.strategy ?? 0),
          trigger: created.decision?.trigger ?? "",
          candidatesConsidered: created.decision?.candidatesConsidered ?? 0,
        };
        offers.set(event.epoch, openOffer);
        session.firstOfferedAtMs ??= at;
        break;
      }
      case "offerAccepted": {
        const accepted = payload.offerAccepted;
        acceptedEpochs.add(event.epoch);
        if (openPart?.repId === accepted.repId) break;
        answer(accepted.repId, at, event.epoch, accepted.waitedMs);
        break;
      }
      case "offerRejected":
        endOffer("rejected", at, event.epoch);
        break;
      case "offerExpired":
        endOffer("expired", at, event.epoch);
        break;
      case "offerWithdrawn":
        endOffer("withdrawn", at, event.epoch);
        break;
      case "sessionAbandoned": {
        const abandoned = payload.sessionAbandoned;
        const reason = abandonReasonToJSON(abandoned.reason);
        endOffer("abandoned", at);
        if (openEntry) {
          openEntry.outcome = "abandoned";
          openEntry.endedAtMs = at;
          openEntry.waitMs = at - openEntry.waitStartedAtMs;
          openEntry.abandonReason = reason;
          openEntry.acdWaitedMs = abandoned.waitedMs;
          openEntry = undefined;
        }
        session.abandonedAtMs ??= at;
        session.abandonReason ??= reason;
        break;
      }
      case "sessionTransferred": {
        const transferred = payload.sessionTransferred;
        if (UNCOMMITTED.has(transferred.reason) && undoAnswer(transferred.fromRepId, at)) break;
        const queue = queueRef(transferred.target);
        // From an offered session (the broker could not commit the accept) the open offer and entry end.
        endOffer("requeued", at);
        if (openEntry) {
          openEntry.outcome = "requeued";
          openEntry.endedAtMs = at;
          openEntry = undefined;
        }
        if (openPart) {
          openPart.endedAtMs = at;
          openPart.endCause = "transferred";
          openPart = undefined;
        }
        if (!queue) break;
        openNewEntry({
          queue,
          cause: "transferred",
          enteredAtMs: at,
          waitStartedAtMs: at,
          priority: transferred.priority,
        });
        session.transfers += 1;
        break;
      }
      case "sessionEnded":
        if (openPart) {
          openPart.endedAtMs = at;
          openPart.endCause = "ended";
          openPart.acdHandleMs = payload.sessionEnded.handleMs;
          openPart = undefined;
        }
        session.endedAtMs ??= at;
        break;
      case "waitEstimated": {
        const estimated = payload.waitEstimated;
        estimates.push({
          eventId: event.eventId,
          entryNo: openEntry?.entryNo ?? null,
          givenAtMs: at,
          position: estimated.position,
          p50Ms: estimated.estimate?.p50Ms ?? 0,
          p90Ms: estimated.estimate?.p90Ms ?? 0,
          known: estimated.estimate?.known ?? false,
          answeredAtMs: null,
        });
        break;
      }
      default:
        break;
    }
  }

  for (const estimate of estimates) {
    const entry = estimate.entryNo === null ? undefined : entries[estimate.entryNo - 1];
    if (entry?.outcome === "answered") estimate.answeredAtMs = entry.endedAtMs;
  }
  const lastQueue = entries.at(-1)?.queue ?? null;
  const surveys: SurveyRow[] = [];
  for (const event of history.sessions) {
    const { payload } = event;
    switch (payload?.$case) {
      case "sessionCreated":
        session.createdAtMs ??= event.occurredAtMs;
        session.startMethod = startMethodToJSON(payload.sessionCreated.startMethod);
        session.problemTypeId = payload.sessionCreated.problemTypeId || null;
        break;
      case "sessionAssigned": {
        // The broker committed this acceptance. The acd's OfferAccepted for it is normally in the log
        // too; when Redis lost it before the acd's relay sent it (the operations guide's recovery after
        // Redis loses data), the broker's event, kept in PostgreSQL until relayed, answers the entry.
        const assigned = payload.sessionAssigned;
        if (acceptedEpochs.has(assigned.epoch)) break;
        answer(assigned.repId, event.occurredAtMs, assigned.epoch, assigned.waitedMs);
        break;
      }
      case "sessionClosed":
        session.endedAtMs = session.endedAtMs ?? event.occurredAtMs;
        // The acd's SessionEnded normally ends the rep's part; a session the broker closed without
        // it (the acd was unreachable) must not leave the rep engaged for ever.
        if (openPart) {
          openPart.endedAtMs = event.occurredAtMs;
          openPart.endCause = "ended";
          openPart = undefined;
        }
        session.endReason = endReasonToJSON(payload.sessionClosed.reason);
        session.finalState = sessionStateToJSON(payload.sessionClosed.finalState);
        break;
      case "surveySubmitted":
        surveys.push({
          eventId: event.eventId,
          submittedAtMs: event.occurredAtMs,
          satisfaction: payload.surveySubmitted.satisfaction,
          queue: lastQueue,
        });
        break;
      default:
        break;
    }
  }
  session.offers = offers.size;
  return {
    siteId: history.siteId,
    sessionId: history.sessionId,
    session,
    entries,
    offers: [...offers.values()],
    parts,
    estimates,
    surveys,
  };
}
