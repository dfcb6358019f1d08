import { compareStreamIds, streamEntry, type Logger, type RedisClient } from "@handoff/runtime";
import { keys } from "../store/keys";
import { parseRoutingEntry, type RoutingOutboxEntry } from "../store/routing-records";

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
  channel: string;
  byRep: Map<string, Set<Subscriber>>;
  /** The id of the last outbox entry handed out (or the start). Everything after it is still to read. */
  position: string;
  /** True once the wake-up channel is subscribed: from then on no offer goes unnoticed. */
  listening: boolean;
  reading: boolean;
  /** A wake-up came during a read: read again when it is done. */
  again: boolean;
  stopped: boolean;
}

/** Entries per outbox read. */
const PAGE = 500;
const RETRY_MS = 200;

function isOfferCreated(id: string, fields: string[]): RoutingOutboxEntry | undefined {
  if (!fields.includes("OfferCreated")) return undefined;
  const entry = parseRoutingEntry(streamEntry(id, fields));
  return entry.type === "OfferCreated" ? entry : undefined;
}

/**
 * Delivers the OfferCreated entries of the outbox after a given outbox id to the subscribers of this
 * replica. The script that creates an offer also publishes on the site's offer channel; the feed
 * subscribes to the channels of the sites its subscribers watch, all on one pub/sub connection, and on
 * each wake-up reads the site's outbox from where it stopped, on the shared command connection. So a
 * replica holds two Redis connections for its streams whatever the number of sites, and an idle site
 * costs nothing. A wake-up lost while the pub/sub connection was down is made up by reading every
 * watched site once it is back. A subscriber is connected to exactly one replica, so each offer reaches
 * its subscriber once whichever replica created it. A subscriber names the outbox id its pending offers
 * were read at; when the tail has already passed that id, the entries in between are read once before
 * live ones, so the subscriber sees every later offer exactly once and in outbox order.
 */
export class OfferFeed {
  private readonly tails = new Map<string, SiteTail>();
  private readonly sitesByChannel = new Map<string, string>();
  private readonly retries = new Set<NodeJS.Timeout>();
  private connectedBefore = false;

  /** `wakeups` is a connection of its own: pub/sub takes it over. */
  constructor(
    private readonly redis: RedisClient,
    private readonly wakeups: RedisClient,
    private readonly logger: Logger,
  ) {
    wakeups.on("message", (channel: string) => {
      const site = this.sitesByChannel.get(channel);
      const tail = site === undefined ? undefined : this.tails.get(site);
      if (site !== undefined && tail) this.read(site, tail);
    });
    wakeups.on("ready", () => {
      if (this.connectedBefore) void this.resubscribeAll();
      this.connectedBefore = true;
    });
    if (wakeups.status === "ready") this.connectedBefore = true;
  }

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
    for (const timer of this.retries) clearTimeout(timer);
    this.retries.clear();
    await Promise.resolve();
  }

  private startTail(site: string, from: string): SiteTail {
    const channel = keys.offerChannel(site);
    const tail: SiteTail = {
      channel,
      byRep: new Map(),
      position: from,
      listening: false,
      reading: false,
      again: false,
      stopped: false,
    };
    this.tails.set(site, tail);
    this.sitesByChannel.set(channel, site);
    void this.listen(site, tail);
    return tail;
  }

  /** Subscribes to the site's wake-ups, then reads what came before the subscription took effect. */
  private async listen(site: string, tail: SiteTail): Promise<void> {
    try {
      await this.wakeups.subscribe(tail.channel);
    } catch (error) {
      if (tail.stopped) return;
      this.logger.warn({ err: error, site }, "offer feed could not subscribe; retrying");
      this.later(() => void this.listen(site, tail));
      return;
    }
    if (tail.stopped) return;
    tail.listening = true;
    this.read(site, tail);
  }

  /** After the pub/sub connection came back: wake-ups may have been lost while it was down. */
  private async resubscribeAll(): Promise<void> {
    const tails = [...this.tails].filter(([, tail]) => tail.listening);
    if (tails.length === 0) return;
    try {
      await this.wakeups.subscribe(...tails.map(([, tail]) => tail.channel));
    } catch (error) {
      this.logger.warn({ err: error }, "offer feed could not subscribe again; retrying");
      this.later(() => void this.resubscribeAll());
      return;
    }
    for (const [site, tail] of tails) this.read(site, tail);
  }

  private stopTail(site: string, tail: SiteTail): void {
    tail.stopped = true;
    if (this.tails.get(site) !== tail) return;
    this.tails.delete(site);
    this.sitesByChannel.delete(tail.channel);
    this.wakeups.unsubscribe(tail.channel).catch((error: unknown) => {
      this.logger.debug({ err: error, site }, "offer feed could not unsubscribe; the connection is gone anyway");
    });
  }

  private later(run: () => void): void {
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      run();
    }, RETRY_MS);
    timer.unref();
    this.retries.add(timer);
  }

  private dispatch(tail: SiteTail, entry: RoutingOutboxEntry): void {
    for (const subscriber of tail.byRep.get(String(entry.data.repId)) ?? []) {
      if (compareStreamIds(entry.id, subscriber.afterId) <= 0) continue;
      if (subscriber.held) subscriber.held.push(entry);
      else subscriber.listener(entry);
    }
  }

  /** Reads the site's outbox after the tail's position; one read per site at a time. */
  private read(site: string, tail: SiteTail): void {
    if (tail.stopped || !tail.listening) return;
    if (tail.reading) {
      tail.again = true;
      return;
    }
    tail.reading = true;
    void this.drain(site, tail).finally(() => {
      tail.reading = false;
    });
  }

  private async drain(site: string, tail: SiteTail): Promise<void> {
    try {
      do {
        tail.again = false;
        let page;
        do {
          page = await this.redis.xrange(keys.outbox(site), `(${tail.position}`, "+", "COUNT", PAGE);
          for (const [id, fields] of page) {
            if (tail.stopped) return;
            tail.position = id;
            const entry = isOfferCreated(id, fields);
            if (entry) this.dispatch(tail, entry);
          }
        } while (page.length === PAGE && !tail.stopped);
      } while (tail.again && !tail.stopped);
    } catch (error) {
      if (tail.stopped) return;
      this.logger.warn({ err: error, site }, "offer feed read failed; retrying");
      this.later(() => this.read(site, tail));
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
        const page = await this.redis.xrange(keys.outbox(site), `(${from}`, until, "COUNT", PAGE);
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
