import { status, type ClientReadableStream } from "@grpc/grpc-js";
import type { Logger } from "@handoff/runtime";
import type { Offer, SubscribeOffersResponse } from "@handoff/proto/acd_service";
import { SessionNotFoundError } from "../domain/errors";
import type { AcdPort } from "./acd-port";

export type OfferListener = (offer: Offer) => void;

/** Records an offer in PostgreSQL (the lifecycle's offerSeen); sessions the broker does not own are skipped. */
export type OfferRecorder = (offer: Offer) => Promise<void>;

/** Reps one stream may watch (the acd's bound). */
export const MAX_WATCHED_REPS_PER_SITE = 1_000;
/** How long rep changes are gathered before the stream is opened again with the new set. */
const RESUBSCRIBE_DELAY_MS = 25;
const RETRY_MS = 1_000;
/** Offers remembered per site to hand each (session, epoch) to listeners once across reconnects. */
const REMEMBERED_OFFERS = 10_000;

interface SiteFeed {
  listeners: Map<string, Set<OfferListener>>;
  stream?: ClientReadableStream<SubscribeOffersResponse>;
  timer?: NodeJS.Timeout;
  seen: Set<string>;
  /** Resolves when the current stream said `subscribed`. */
  live: Promise<void>;
  markLive: () => void;
}

/**
 * The broker as the acd's offer subscriber: one SubscribeOffers stream per site for the reps watched on
 * this replica (their desktops are connected here). Each offer is recorded in PostgreSQL at once (the
 * routing events on Kafka record it too, later; both are idempotent by epoch) and handed to the
 * listeners of its rep. A changed rep set or a broken stream re-subscribes under the same subscriber
 * id; the acd then replays the pending offers, so none is missed.
 */
export class RepOfferFeed {
  private readonly sites = new Map<string, SiteFeed>();
  private closed = false;

  constructor(
    private readonly acd: AcdPort,
    private readonly record: OfferRecorder,
    private readonly subscriberId: string,
    private readonly logger: Logger,
  ) {}

  /** Calls `listener` with every offer made to `repId` from now on (and those pending); returns the unwatch. */
  watch(siteId: string, repId: string, listener: OfferListener): () => void {
    const feed = this.sites.get(siteId) ?? this.newSite(siteId);
    const listeners = feed.listeners.get(repId) ?? new Set<OfferListener>();
    if (!feed.listeners.has(repId) && feed.listeners.size >= MAX_WATCHED_REPS_PER_SITE)
      throw new RangeError(`at most ${MAX_WATCHED_REPS_PER_SITE} reps per site may be watched on one replica`);
    const added = !feed.listeners.has(repId);
    listeners.add(listener);
    feed.listeners.set(repId, listeners);
    if (added) this.resubscribeSoon(siteId, feed);
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0) return;
      feed.listeners.delete(repId);
      this.resubscribeSoon(siteId, feed);
    };
  }

  /** Resolves once the site's stream is live (its `subscribed` arrived). */
  live(siteId: string): Promise<void> {
    return this.sites.get(siteId)?.live ?? Promise.resolve();
  }

  close(): void {
    this.closed = true;
    for (const feed of this.sites.values()) {
      clearTimeout(feed.timer);
      feed.stream?.cancel();
    }
    this.sites.clear();
  }

  private newSite(siteId: string): SiteFeed {
    let markLive = () => undefined as void;
    const live = new Promise<void>((resolve) => (markLive = resolve));
    const feed: SiteFeed = { listeners: new Map(), seen: new Set(), live, markLive };
    this.sites.set(siteId, feed);
    return feed;
  }

  private resubscribeSoon(siteId: string, feed: SiteFeed, delayMs = RESUBSCRIBE_DELAY_MS): void {
    clearTimeout(feed.timer);
    feed.timer = setTimeout(() => this.subscribe(siteId, feed), delayMs);
  }

  private subscribe(siteId: string, feed: SiteFeed): void {
    if (this.closed) return;
    const previous = feed.stream;
    feed.stream = undefined;
    previous?.cancel();
    if (feed.listeners.size === 0) {
      this.sites.delete(siteId);
      return;
    }
    // The acd scopes subscriber ids by site: the replica's id names its one stream per site.
    const stream = this.acd.subscribeOffers(siteId, this.subscriberId, [...feed.listeners.keys()]);
    feed.stream = stream;
    stream.on("data", (message: SubscribeOffersResponse) => {
      if (message.event?.$case === "subscribed") feed.markLive();
      if (message.event?.$case === "offer") void this.deliver(feed, message.event.offer);
    });
    stream.on("error", (error: Error & { code?: number }) => {
      if (feed.stream !== stream || this.closed) return;
      if (error.code === status.INVALID_ARGUMENT) {
        this.logger.error({ err: error, siteId }, "the acd refused the offer subscription");
        return;
      }
      this.logger.warn({ err: error, siteId }, "offer stream failed; subscribing again");
      this.resubscribeSoon(siteId, feed, RETRY_MS);
    });
    stream.on("end", () => {
      if (feed.stream !== stream || this.closed) return;
      this.resubscribeSoon(siteId, feed, RETRY_MS);
    });
  }

  private async deliver(feed: SiteFeed, offer: Offer): Promise<void> {
    const id = `${offer.sessionId}:${offer.epoch}`;
    if (feed.seen.has(id)) return;
    feed.seen.add(id);
    if (feed.seen.size > REMEMBERED_OFFERS) feed.seen.delete(feed.seen.values().next().value!);
    try {
      await this.record(offer);
    } catch (error) {
      if (error instanceof SessionNotFoundError) return;
      // The routing events record it too; the rep must still see his offer.
      this.logger.warn({ err: error, sessionId: offer.sessionId }, "offer not recorded from the stream");
    }
    for (const listener of feed.listeners.get(offer.repId) ?? []) listener(offer);
  }
}
