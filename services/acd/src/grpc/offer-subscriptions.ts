import type { Offer, SubscribeOffersResponse } from "@handoff/proto/acd_service";
import type { ServerWritableStream } from "@grpc/grpc-js";
import type { OfferFeed } from "../events/offer-feed";
import type { RoutingStore } from "../store/routing-store";
import { offerFromOutbox, targetToProto } from "./mappers";

/** Offers remembered per stream to drop the one that is both pending at subscribe time and in the feed. */
const REMEMBERED_OFFERS = 10_000;

/**
 * The SubscribeOffers streams of this replica. A new subscription with the same subscriber id ends
 * the old one (a session-broker instance that reconnects). On subscribe the offers already pending for
 * its reps are sent first, so a reconnect misses none; each offer is sent once per stream.
 */
export class OfferSubscriptions {
  private readonly active = new Map<string, () => void>();

  constructor(
    private readonly store: RoutingStore,
    private readonly feed: OfferFeed,
  ) {}

  serve(
    site: string,
    subscriberId: string,
    repIds: readonly string[],
    call: ServerWritableStream<unknown, SubscribeOffersResponse>,
  ): Promise<void> {
    const key = `${site}/${subscriberId}`;
    this.active.get(key)?.();
    const sent = new Set<string>();
    const send = (offer: Offer) => {
      const id = `${offer.sessionId}:${offer.epoch}`;
      if (sent.has(id)) return;
      sent.add(id);
      if (sent.size > REMEMBERED_OFFERS) sent.delete(sent.values().next().value!);
      call.write({ event: { $case: "offer", offer } });
    };
    return new Promise<void>((resolve, reject) => {
      const unsubscribe = this.feed.subscribe(site, repIds, (entry) => send(offerFromOutbox(site, entry)));
      const finish = () => {
        unsubscribe();
        if (this.active.get(key) === finish) this.active.delete(key);
        resolve();
      };
      this.active.set(key, finish);
      call.once("cancelled", finish);
      call.once("close", finish);
      call.once("error", finish);
      // Read after the feed is in place, so no offer falls between the two.
      this.store.pendingOffers(site, repIds).then((pending) => {
        for (const offer of pending) {
          send({
            siteId: site,
            sessionId: offer.sessionId,
            repId: offer.repId,
            epoch: offer.epoch,
            expiresAtMs: offer.expiresAtMs,
            fromQueue: targetToProto(offer.from),
          });
        }
      }, reject);
    });
  }
}
