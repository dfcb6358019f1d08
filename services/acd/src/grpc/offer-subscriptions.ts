import type { ServerWritableStream } from "@grpc/grpc-js";
import { StreamsPerCaller } from "@handoff/runtime";
import type { Offer, SubscribeOffersResponse } from "@handoff/proto/acd_service";
import { SubscriberIdTakenError, TooManyStreamsError } from "../domain/errors";
import type { OfferFeed } from "../events/offer-feed";
import type { RoutingStore } from "../store/routing-store";
import { offerFromOutbox, pendingOfferToProto } from "./mappers";

/** Offers remembered per stream to drop a repeated (session, epoch); a guard, the feed sends none. */
const REMEMBERED_OFFERS = 10_000;

/** Who opened a stream: the service its certificate names, and the connection (peer address) it came on. */
export interface StreamOwner {
  identity: string;
  connection: string;
}

interface LiveStream {
  owner: StreamOwner;
  finish: () => void;
}

/**
 * The SubscribeOffers streams of this replica. A subscriber id belongs to the stream that holds it, and
 * that stream to the caller identity and connection that opened it (issue 11):
 * - the same identity on the same connection replaces its own stream (a broker changing its rep set;
 *   the old stream ends OK, as its own client asked);
 * - another identity is refused with PERMISSION_DENIED (SUBSCRIBER_ID_OWNED);
 * - the same identity on another connection (a second broker replica, which shares the certificate)
 *   is refused with ALREADY_EXISTS (SUBSCRIBER_ID_IN_USE) while the stream lives, so no stream is
 *   ended silently by someone else; the id is free once its stream ends (its connection closed, or
 *   the keepalive found it dead).
 * Each identity holds at most `maxStreamsPerCaller` streams here (RESOURCE_EXHAUSTED, TOO_MANY_STREAMS).
 *
 * A stream starts with `subscribed`, then the offers pending for its reps, then live ones: the pending
 * offers and the outbox id they were read at come from one atomic script, and the feed hands over
 * exactly the offers after that id, so every offer pending at or after subscribe time is sent once per
 * stream.
 */
export class OfferSubscriptions {
  private readonly active = new Map<string, LiveStream>();
  private readonly streams: StreamsPerCaller;

  constructor(
    private readonly store: RoutingStore,
    private readonly feed: OfferFeed,
    maxStreamsPerCaller: number,
  ) {
    this.streams = new StreamsPerCaller(maxStreamsPerCaller);
  }

  async serve(
    site: string,
    subscriberId: string,
    owner: StreamOwner,
    repIds: readonly string[],
    call: ServerWritableStream<unknown, SubscribeOffersResponse>,
  ): Promise<void> {
    const key = `${site}/${subscriberId}`;
    const held = this.active.get(key);
    if (held && held.owner.identity !== owner.identity)
      throw new SubscriberIdTakenError(subscriberId, "other_identity");
    if (held && held.owner.connection !== owner.connection)
      throw new SubscriberIdTakenError(subscriberId, "other_connection");
    held?.finish();
    const release = this.streams.tryOpen(owner.identity);
    if (!release) throw new TooManyStreamsError(owner.identity, this.streams.limit);

    let finished = false;
    let unsubscribe = () => undefined as void;
    let ended = () => undefined as void;
    const done = new Promise<void>((resolve) => (ended = resolve));
    const finish = () => {
      if (finished) return;
      finished = true;
      unsubscribe();
      if (this.active.get(key)?.finish === finish) this.active.delete(key);
      release();
      ended();
    };
    this.active.set(key, { owner, finish });
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
