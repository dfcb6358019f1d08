import { credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { AcdServiceClient, type Offer, type SubscribeOffersResponse } from "@handoff/proto/acd_service";

type Unary<Req, Res> = (
  req: Req,
  md: Metadata,
  opts: { deadline: number },
  cb: (e: ServiceError | null, r: Res) => void,
) => unknown;
type Methods = {
  [K in keyof AcdServiceClient]: AcdServiceClient[K] extends {
    (req: infer Req, md: Metadata, opts: never, cb: (e: ServiceError | null, r: infer Res) => void): unknown;
  }
    ? (req: Req) => Promise<Res>
    : never;
};

/** A promise-returning AcdService client for tests: `await acd.enqueueSession({...})`. */
export type Acd = Pick<
  Methods,
  | "putRoutingConfig"
  | "getRoutingConfig"
  | "enqueueSession"
  | "abandonSession"
  | "acceptOffer"
  | "rejectOffer"
  | "endSession"
  | "transferSession"
  | "pullNextSession"
  | "setRepCapacity"
  | "getQueuePosition"
  | "getTeamAvailability"
  | "getSessionRouting"
  | "rebuildQueues"
> & { raw: AcdServiceClient; close(): void };

export function connectAcd(address: string): Acd {
  const raw = new AcdServiceClient(address, credentials.createInsecure());
  return new Proxy({ raw, close: () => raw.close() } as Acd, {
    get(target, name: string) {
      if (name === "raw") return target.raw;
      if (name === "close") return () => raw.close();
      const method = (raw as unknown as Record<string, Unary<unknown, unknown>>)[name];
      if (typeof method !== "function") return undefined;
      return (req: unknown) =>
        new Promise((resolve, reject) =>
          method.call(raw, req, new Metadata(), { deadline: Date.now() + 10_000 }, (e, r) =>
            e ? reject(e) : resolve(r),
          ),
        );
    },
  });
}

/** Collects the offers streamed to one subscriber. */
export interface OfferInbox {
  offers: Offer[];
  /** Resolves with the first offer (from now on) matching `predicate`. */
  next(predicate?: (offer: Offer) => boolean, timeoutMs?: number): Promise<Offer>;
  close(): void;
}

export async function subscribeOffers(acd: Acd, siteId: string, repIds: string[]): Promise<OfferInbox> {
  const stream = acd.raw.subscribeOffers({ siteId, subscriberId: `test-${Math.random()}`, repIds });
  const offers: Offer[] = [];
  const waiters: { predicate: (o: Offer) => boolean; resolve: (o: Offer) => void }[] = [];
  let seen = 0;
  stream.on("data", (message: SubscribeOffersResponse) => {
    if (!message.offer) return;
    offers.push(message.offer);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message.offer)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message.offer);
      }
    }
  });
  stream.on("error", () => undefined);
  // The feed starts at the stream's tail; give the subscription a moment to be in place.
  await new Promise((r) => setTimeout(r, 150));
  return {
    offers,
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
