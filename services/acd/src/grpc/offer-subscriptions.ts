import type { ServerWritableStream } from "@grpc/grpc-js";
import type { Offer, SubscribeOffersResponse } from "@handoff/proto/acd_service";
import type { OfferFeed } from "../events/offer-feed";
import type { RoutingStore } from "../store/routing-store";
import { offerFromOutbox, pendingOfferToProto } from "./mappers";

/** Offers remembered per stream to drop a repeated (session, epoch); a guard, the feed sends none. */
const REMEMBERED_OFFERS = 10_000;

/**
 * The SubscribeOffers streams of this replica. A new subscription with the same subscriber id ends
 * the old one (a session-broker instance that reconnects). A stream starts with `subscribed`, then the
 * offers pending for its reps, then live ones: the pending offers and the outbox id they were read at
 * come from one atomic script, and the feed hands over exactly the offers after that id, so every
 * offer pending at or after subscribe time is sent once per stream.
 */
export class OfferSubscriptions {
  private readonly active = new Map<string, () => void>();

  constructor(
    private readonly store: RoutingStore,
    private readonly feed: OfferFeed,
  ) {}

  async serve(
    site: string,
    subscriberId: string,
    repIds: readonly string[],
    call: ServerWritableStream<unknown, SubscribeOffersResponse>,
  ): Promise<void> {
    const key = `${site}/${subscriberId}`;
    this.active.get(key)?.();
    let finished = false;
    let unsubscribe = () => undefined as void;
    let ended = () => undefined as void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const finish = () => {
      if (finished) return;
      finished = true;
      unsubscribe();
      if (this.active.get(key) === finish) this.active.delete(key);
      ended();
    };
    this.active.set(key, finish);
    call.once("cancelled", finish);
    call.once("close", finish);
    call.once("error", finish);

    let pending;
    try {
      pending = await this.store.pendingOffers(site, repIds);
    } catch (error) {
      finish();
      throw error;
    }
    if (finished) return;

    const sent = new Set<string>();
    const send = (offer: Offer) => {
      const id = `${offer.sessionId}:${offer.epoch}`;
      if (sent.has(id)) return;
      sent.add(id);
      if (sent.size > REMEMBERED_OFFERS) sent.delete(sent.values().next().value!);
      call.write({ event: { $case: "offer", offer } });
    };
    call.write({ event: { $case: "subscribed", subscribed: { pendingOffers: pending.offers.length } } });
    for (const offer of pending.offers) send(pendingOfferToProto(site, offer));
    unsubscribe = this.feed.subscribe(site, repIds, pending.outboxId, (entry) => send(offerFromOutbox(site, entry)));
    return done;
  }
}
