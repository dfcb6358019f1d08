import { streamEntry, type Logger, type RedisClient } from "@handoff/runtime";
import { keys } from "../store/keys";
import { parseRoutingEntry, type RoutingOutboxEntry } from "../store/routing-store";

export type OfferListener = (entry: RoutingOutboxEntry) => void;

/** One subscription: its reps, and the outbox id after which it wants offers. */
interface Subscriber {
  repIds: readonly string[];
  listener: OfferListener;
  afterId: string;
  /** Set while the entries between `afterId` and the tail's position are read; live entries wait here. */
  held: RoutingOutboxEntry[] | undefined;
  closed: boolean;
}

interface SiteTail {
  connection: RedisClient;
  byRep: Map<string, Set<Subscriber>>;
  /** The id of the last outbox entry handed out (or the start). Everything after it comes from XREAD. */
  position: string;
  stopped: boolean;
}

/** How long one blocking read waits before it checks whether the tail is still wanted. */
const BLOCK_MS = 1_000;
/** Entries per read when a subscriber catches up with the tail. */
const CATCH_UP_PAGE = 500;
const RETRY_MS = 200;

/** Stream ids are `<ms>-<seq>`; they compare as that pair of integers (both well below 2^53). */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split("-").map(Number);
  const [bMs = 0, bSeq = 0] = b.split("-").map(Number);
  return aMs !== bMs ? aMs - bMs : aSeq - bSeq;
}

function isOfferCreated(id: string, fields: string[]): RoutingOutboxEntry | undefined {
  if (!fields.includes("OfferCreated")) return undefined;
  const entry = parseRoutingEntry(streamEntry(id, fields));
  return entry.type === "OfferCreated" ? entry : undefined;
}

/**
 * Delivers the OfferCreated entries of the outbox after a given outbox id to the subscribers of this
 * replica. Every replica tails the outboxes of the sites its subscribers watch (one blocking reader per
 * site), and a subscriber is connected to exactly one replica, so each offer reaches its subscriber once
 * whichever replica created it. A subscriber names the outbox id its pending offers were read at; when
 * the tail has already passed that id, the entries in between are read once before live ones, so the
 * subscriber sees every later offer exactly once and in outbox order.
 */
export class OfferFeed {
  private readonly tails = new Map<string, SiteTail>();

  constructor(
    private readonly redis: RedisClient,
    private readonly logger: Logger,
  ) {}

  /**
   * Calls `listener` with every offer for one of `repIds` whose outbox id is above `afterId`, in outbox
   * order; returns the unsubscribe function.
   */
  subscribe(site: string, repIds: readonly string[], afterId: string, listener: OfferListener): () => void {
    const tail = this.tails.get(site) ?? this.startTail(site, afterId);
    const subscriber: Subscriber = { repIds, listener, afterId, held: undefined, closed: false };
    for (const rep of repIds) {
      const set = tail.byRep.get(rep) ?? new Set();
      set.add(subscriber);
      tail.byRep.set(rep, set);
    }
    if (compareStreamIds(afterId, tail.position) < 0) {
      subscriber.held = [];
      void this.catchUp(site, subscriber, tail.position);
    }
    return () => {
      subscriber.closed = true;
      for (const rep of repIds) {
        const set = tail.byRep.get(rep);
        set?.delete(subscriber);
        if (set?.size === 0) tail.byRep.delete(rep);
      }
      if (tail.byRep.size === 0) this.stopTail(site, tail);
    };
  }

  async close(): Promise<void> {
    for (const [site, tail] of this.tails) this.stopTail(site, tail);
    await Promise.resolve();
  }

  private startTail(site: string, from: string): SiteTail {
    const tail: SiteTail = { connection: this.redis.duplicate(), byRep: new Map(), position: from, stopped: false };
    this.tails.set(site, tail);
    void this.follow(site, tail);
    return tail;
  }

  private stopTail(site: string, tail: SiteTail): void {
    tail.stopped = true;
    if (this.tails.get(site) === tail) this.tails.delete(site);
    tail.connection.disconnect();
  }

  private dispatch(tail: SiteTail, entry: RoutingOutboxEntry): void {
    for (const subscriber of tail.byRep.get(String(entry.data.repId)) ?? []) {
      if (compareStreamIds(entry.id, subscriber.afterId) <= 0) continue;
      if (subscriber.held) subscriber.held.push(entry);
      else subscriber.listener(entry);
    }
  }

  private async follow(site: string, tail: SiteTail): Promise<void> {
    // Explicit ids, not "$", so nothing written between two blocking reads is skipped.
    while (!tail.stopped) {
      try {
        const reply = await tail.connection.xread("BLOCK", BLOCK_MS, "STREAMS", keys.outbox(site), tail.position);
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            tail.position = id;
            const entry = isOfferCreated(id, fields);
            if (entry) this.dispatch(tail, entry);
          }
        }
      } catch (error) {
        if (tail.stopped) return;
        this.logger.warn({ err: error, site }, "offer feed read failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
  }

  /**
   * Reads the subscriber's offers in (afterId, until], where `until` was the tail's position when it
   * subscribed, then hands over what the tail held back for it meanwhile (all after `until`).
   */
  private async catchUp(site: string, subscriber: Subscriber, until: string): Promise<void> {
    const reps = new Set(subscriber.repIds);
    let from = subscriber.afterId;
    while (!subscriber.closed && compareStreamIds(from, until) < 0) {
      try {
        const page = await this.redis.xrange(keys.outbox(site), `(${from}`, until, "COUNT", CATCH_UP_PAGE);
        if (page.length === 0) break;
        for (const [id, fields] of page) {
          from = id;
          const entry = isOfferCreated(id, fields);
          if (entry && reps.has(String(entry.data.repId)) && !subscriber.closed) subscriber.listener(entry);
        }
      } catch (error) {
        if (subscriber.closed) return;
        this.logger.warn({ err: error, site }, "offer feed catch-up read failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
    }
    const held = subscriber.held ?? [];
    subscriber.held = undefined;
    if (!subscriber.closed) for (const entry of held) subscriber.listener(entry);
  }
}
