import type { Offer, SubscribeOffersResponse } from "@handoff/proto/acd_service";
import type { Acd } from "@handoff/testing";

export { connectAcd, type Acd } from "@handoff/testing";

/** Collects the offers streamed to one subscriber. */
export interface OfferInbox {
  offers: Offer[];
  /** Resolves with the first offer (from now on) matching `predicate`. */
  next(predicate?: (offer: Offer) => boolean, timeoutMs?: number): Promise<Offer>;
  close(): void;
}

export async function subscribeOffers(
  acd: Acd,
  siteId: string,
  repIds: string[],
  subscriberId = `test-${Math.random()}`,
): Promise<OfferInbox & { ended: Promise<void> }> {
  const stream = acd.raw.subscribeOffers({ siteId, subscriberId, repIds });
  const ended = new Promise<void>((resolve) => stream.once("end", () => resolve()));
  const offers: Offer[] = [];
  const waiters: { predicate: (o: Offer) => boolean; resolve: (o: Offer) => void }[] = [];
  let seen = 0;
  let live: () => void = () => undefined;
  const subscribed = new Promise<void>((resolve) => (live = resolve));
  stream.on("data", (message: SubscribeOffersResponse) => {
    if (message.event?.$case === "subscribed") live();
    if (message.event?.$case !== "offer") return;
    const offer = message.event.offer;
    offers.push(offer);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(offer)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(offer);
      }
    }
  });
  stream.on("error", () => undefined);
  // From the first message on, every offer for these reps reaches the stream.
  await Promise.race([
    subscribed,
    ended,
    new Promise((_, reject) => setTimeout(() => reject(new Error("the stream never said subscribed")), 10_000)),
  ]);
  return {
    offers,
    ended,
    next(predicate = () => true, timeoutMs = 10_000) {
      const already = offers.slice(seen).find(predicate);
      seen = offers.length;
      if (already) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no matching offer arrived")), timeoutMs);
        waiters.push({
          predicate,
          resolve: (offer) => {
            clearTimeout(timer);
            resolve(offer);
          },
        });
      });
    },
    close: () => stream.cancel(),
  };
}
