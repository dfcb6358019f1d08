import { streamEntry, type Logger, type RedisClient } from "@handoff/runtime";
import { keys } from "../store/keys";
import { parseRoutingEntry, type RoutingOutboxEntry } from "../store/routing-store";

export type OfferListener = (entry: RoutingOutboxEntry) => void;

interface SiteTail {
  connection: RedisClient;
  listeners: Map<string, Set<OfferListener>>;
  stopped: boolean;
}

/** How long one blocking read waits before it checks whether the tail is still wanted. */
const BLOCK_MS = 1_000;

/**
 * Delivers OfferCreated entries of the outbox to the subscribers of this replica. Every replica tails
 * the outboxes of the sites its subscribers watch, and a subscriber is connected to exactly one
 * replica, so each offer reaches its subscriber once whichever replica created it.
 */
export class OfferFeed {
  private readonly tails = new Map<string, SiteTail>();

  constructor(
    private readonly redis: RedisClient,
    private readonly logger: Logger,
  ) {}

  /** Calls `listener` with every new offer for one of `repIds`; returns the unsubscribe function. */
  subscribe(site: string, repIds: readonly string[], listener: OfferListener): () => void {
    const tail = this.tails.get(site) ?? this.startTail(site);
    for (const rep of repIds) {
      const set = tail.listeners.get(rep) ?? new Set();
      set.add(listener);
      tail.listeners.set(rep, set);
    }
    return () => {
      for (const rep of repIds) {
        const set = tail.listeners.get(rep);
        set?.delete(listener);
        if (set?.size === 0) tail.listeners.delete(rep);
      }
      if (tail.listeners.size === 0) this.stopTail(site, tail);
    };
  }

  async close(): Promise<void> {
    for (const [site, tail] of this.tails) this.stopTail(site, tail);
    await Promise.resolve();
  }

  private startTail(site: string): SiteTail {
    const tail: SiteTail = { connection: this.redis.duplicate(), listeners: new Map(), stopped: false };
    this.tails.set(site, tail);
    void this.follow(site, tail);
    return tail;
  }

  private stopTail(site: string, tail: SiteTail): void {
    tail.stopped = true;
    this.tails.delete(site);
    tail.connection.disconnect();
  }

  private async follow(site: string, tail: SiteTail): Promise<void> {
    // Explicit ids, not "$", so nothing written between two blocking reads is skipped.
    let lastId = "0-0";
    while (!tail.stopped) {
      try {
        if (lastId === "0-0") {
          const [latest] = await tail.connection.xrevrange(keys.outbox(site), "+", "-", "COUNT", 1);
          lastId = latest?.[0] ?? "0-1";
        }
        const reply = await tail.connection.xread("BLOCK", BLOCK_MS, "STREAMS", keys.outbox(site), lastId);
        for (const [, entries] of reply ?? []) {
          for (const [id, fields] of entries) {
            lastId = id;
            if (!fields.includes("OfferCreated")) continue;
            const entry = parseRoutingEntry(streamEntry(id, fields));
            if (entry.type !== "OfferCreated") continue;
            for (const listener of tail.listeners.get(String(entry.data.repId)) ?? []) listener(entry);
          }
        }
      } catch (error) {
        if (tail.stopped) return;
        this.logger.warn({ err: error, site }, "offer feed read failed; retrying");
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  }
}
