import type { QueueTarget } from "@handoff/proto/common";
import type { RoutingEvent } from "@handoff/proto/events";

/** A queue of a site as a string: `team:<id>` or `rep:<id>` (a rep's personal queue). */
export type QueueKey = string;

export const queueKeyOf = (target: QueueTarget | undefined): QueueKey | undefined => {
  switch (target?.target?.$case) {
    case "teamId":
      return `team:${target.target.teamId}`;
    case "repId":
      return `rep:${target.target.repId}`;
    default:
      return undefined;
  }
};

/** Which queues of a site an event changed; `site` when it cannot say (every queue of the site). */
export type QueueChange = { siteId: string; queues: QueueKey[] } | { siteId: string; queues: "site" };

/** The queues a session sits in (its own and those overflow added), as far as events told them. */
export type QueuesOf = (siteId: string, sessionId: string) => readonly QueueKey[] | undefined;

/**
 * What a routing event changes of the positions and estimates customers see, per acd's rules
 * (services/acd/README.md): a session joining or leaving a queue moves everyone behind it, and a
 * queue's serving capacity and handle times move its estimates.
 *
 * - SessionQueued / SessionTransferred: the target gains a member.
 * - OfferCreated, SessionAbandoned: the session leaves every queue it sat in (its own and overflow's).
 * - OfferRejected / OfferExpired / OfferWithdrawn: it comes back to them at its place.
 * - SessionOverflowed: it joins the added teams and may gain priority in its own.
 * - SessionEnded: a handle time more for its queue; the rep's free capacity for his personal queue.
 * - RepCapacityChanged: the serving and free capacity of the rep's teams and of his personal queue.
 * - RoutingConfigChanged: anything of the site.
 * - OfferAccepted changes no queue (the offer already held the rep's unit); WaitEstimated is what a
 *   position read itself records, and must not trigger another.
 *
 * A session whose queues are unknown (queued before this replica followed the topic) changes the whole
 * site: the cost is a wider recomputation, never a missed one. A rep whose other teams gain free
 * capacity at SessionEnded is left to the safety refresh (an offer follows in any queue with work).
 */
export function queueChangeOf(event: RoutingEvent, queuesOf: QueuesOf): QueueChange | undefined {
  const { siteId, sessionId } = event;
  const payload = event.payload;
  if (!payload) return undefined;
  const sessionQueues = (): QueueChange => {
    const known = queuesOf(siteId, sessionId);
    return known ? { siteId, queues: [...known] } : { siteId, queues: "site" };
  };
  const keys = (...targets: (QueueKey | undefined)[]): QueueChange => ({
    siteId,
    queues: targets.filter((key): key is QueueKey => key !== undefined),
  });
  switch (payload.$case) {
    case "sessionQueued":
      return keys(queueKeyOf(payload.sessionQueued.target));
    case "sessionTransferred":
      return keys(queueKeyOf(payload.sessionTransferred.target));
    case "offerCreated": {
      const known = queuesOf(siteId, sessionId);
      const from = queueKeyOf(payload.offerCreated.fromQueue);
      if (!known) return from === undefined ? { siteId, queues: "site" } : keys(from);
      return keys(...new Set([...known, from]));
    }
    case "sessionAbandoned":
    case "offerRejected":
    case "offerExpired":
    case "offerWithdrawn":
      return sessionQueues();
    case "sessionOverflowed": {
      const known = queuesOf(siteId, sessionId);
      const added = payload.sessionOverflowed.addedTeamIds.map((team) => `team:${team}`);
      return known ? keys(...new Set([...known, ...added])) : { siteId, queues: "site" };
    }
    case "sessionEnded": {
      const known = queuesOf(siteId, sessionId);
      const rep = `rep:${payload.sessionEnded.repId}`;
      return known ? keys(...new Set([...known, rep])) : { siteId, queues: "site" };
    }
    case "repCapacityChanged": {
      const { repId, teamIds } = payload.repCapacityChanged;
      return keys(`rep:${repId}`, ...teamIds.map((team) => `team:${team}`));
    }
    case "routingConfigChanged":
      return { siteId, queues: "site" };
    // Away or back keeps every place (a return that matched at once is followed by its OfferCreated).
    case "customerAwayChanged":
    case "offerAccepted":
    case "waitEstimated":
      return undefined;
  }
}

/**
 * How an event changes the queues a session sits in, for `queuesOf` of later events: undefined when
 * it does not, [] when the session left routing for good.
 */
export function sessionQueuesAfter(
  event: RoutingEvent,
  before: readonly QueueKey[] | undefined,
): QueueKey[] | undefined {
  const payload = event.payload;
  switch (payload?.$case) {
    case "sessionQueued": {
      const key = queueKeyOf(payload.sessionQueued.target);
      return key === undefined ? undefined : [key];
    }
    case "sessionTransferred": {
      const key = queueKeyOf(payload.sessionTransferred.target);
      return key === undefined ? undefined : [key];
    }
    case "sessionOverflowed":
      return before && [...new Set([...before, ...payload.sessionOverflowed.addedTeamIds.map((t) => `team:${t}`)])];
    case "sessionAbandoned":
    case "sessionEnded":
      return [];
    default:
      return undefined;
  }
}
