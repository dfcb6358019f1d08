import type { ClientReadableStream } from "@grpc/grpc-js";
import { AcdServiceClient, type Offer, type SubscribeOffersResponse } from "@handoff/proto/acd_service";
import { ACD_CALLERS } from "@handoff/runtime";
import { promiseClient } from "@handoff/testing/dist/promise-client";
import { KeyedArrivals } from "./keyed-arrivals";

/**
 * The AcdService calls the benchmark makes, promise-returning with a 10 s deadline (a call that takes longer
 * counts as failed), each made over mutual TLS as the service allowed to call it.
 */
export function connectAcd(address: string) {
  return promiseClient(AcdServiceClient, address, ACD_CALLERS);
}

export type AcdClient = ReturnType<typeof connectAcd>;

export interface ReceivedOffer {
  offer: Offer;
  /** performance.now() when the message arrived on the stream. */
  atMs: number;
}

/**
 * One subscriber (as a session-broker instance would be) for a set of reps: hands each streamed offer
 * to whoever waits for that session. Wait before sending the enqueue; the offer may beat its response.
 */
export class OfferInbox {
  private readonly waiters = new Map<string, (offer: ReceivedOffer | undefined) => void>();
  private readonly stream: ClientReadableStream<SubscribeOffersResponse>;
  /** Offers nobody waited for (late, after a wait timed out, or for sessions the bench did not start). */
  unclaimed = 0;
  received = 0;

  constructor(acd: AcdClient, siteId: string, repIds: readonly string[]) {
    this.stream = acd.raw.subscribeOffers({ siteId, subscriberId: `bench-${siteId}`, repIds: [...repIds] });
    this.stream.on("data", (message: SubscribeOffersResponse) => {
      const atMs = performance.now();
      // The first message of a stream says it is live; only offers matter here.
      if (message.event?.$case !== "offer") return;
      const offer = message.event.offer;
      this.received++;
      const waiter = this.waiters.get(offer.sessionId);
      if (!waiter) {
        this.unclaimed++;
        return;
      }
      this.waiters.delete(offer.sessionId);
      waiter({ offer, atMs });
    });
    // Cancelling at the end ends the stream with CANCELLED; any other failure shows as missing offers.
    this.stream.on("error", () => undefined);
  }

  /** Resolves with the session's offer, or undefined after `timeoutMs`. */
  wait(sessionId: string, timeoutMs: number): Promise<ReceivedOffer | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(sessionId);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(sessionId, (offer) => {
        clearTimeout(timer);
        resolve(offer);
      });
    });
  }

  close(): void {
    for (const waiter of this.waiters.values()) waiter(undefined);
    this.waiters.clear();
    this.stream.cancel();
  }
}

/**
 * One subscriber for a set of reps that keeps every offer until it is claimed: for sessions whose id
 * is only known once their creation answers (the session-broker makes the ids), so the offer may
 * arrive first. Unclaimed offers are kept at most `keep` at a time (the oldest go first).
 */
export class OfferLog {
  private readonly offers: KeyedArrivals<ReceivedOffer>;
  private readonly stream: ClientReadableStream<SubscribeOffersResponse>;
  /** Resolves when the stream says it is live (its first message). */
  readonly subscribed: Promise<void>;

  constructor(acd: AcdClient, siteId: string, repIds: readonly string[], keep = 100_000) {
    this.offers = new KeyedArrivals(keep);
    this.stream = acd.raw.subscribeOffers({ siteId, subscriberId: `bench-log-${siteId}`, repIds: [...repIds] });
    let live: () => void = () => undefined;
    this.subscribed = new Promise((resolve) => (live = resolve));
    this.stream.on("data", (message: SubscribeOffersResponse) => {
      const atMs = performance.now();
      if (message.event?.$case === "subscribed") live();
      if (message.event?.$case !== "offer") return;
      this.offers.put(message.event.offer.sessionId, { offer: message.event.offer, atMs });
    });
    this.stream.on("error", () => undefined);
  }

  /** The session's offer (perhaps already arrived), or undefined after `timeoutMs`. */
  take(sessionId: string, timeoutMs: number): Promise<ReceivedOffer | undefined> {
    return this.offers.take(sessionId, timeoutMs);
  }

  /** The next offer of any session (perhaps already arrived), or undefined after `timeoutMs`. */
  takeNext(timeoutMs: number): Promise<ReceivedOffer | undefined> {
    return this.offers.takeNext(timeoutMs);
  }

  close(): void {
    this.offers.close();
    this.stream.cancel();
  }
}
