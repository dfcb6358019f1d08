import { HttpProblem, type Logger } from "@handoff/runtime";
import type { Response } from "express";
import type { CustomerBroker, CustomerCredential } from "./customer-broker";
import { CustomerStream, type CustomerStreamDeps, type CustomerStreamHooks } from "./customer-stream";
import { queueKeyOf, type QueueChange, type QueueKey } from "./queue-changes";
import { POSITION_BATCH_SIZE, type QueuePositions } from "./queue-positions";
import { RefreshQueue } from "./refresh-queue";
import { sessionStatusJson } from "./session-json";
import type { SitePortals } from "./site-portals";
import type { StreamClaim, StreamClaims } from "./stream-claims";
import type { AwayRegistry } from "./away-registry";

export interface CustomerStreamOptions {
  /** How often a waiting customer's position is read without a queue event (the safety net). @default 30000 */
  safetyRefreshMs?: number;
  /** How often notices and hold messages are checked. @default 2000 */
  housekeepingMs?: number;
  /** Position reads in flight at once from this replica (they go to the acd in batches of up to 500). @default 500 */
  refreshConcurrency?: number;
  /** @default 15000 */
  keepAliveMs?: number;
  /** Streams one replica holds at once. @default 20000 */
  maxStreams?: number;
  /**
   * Marks the sessions with a stream open in Redis (keep my place calls an open page back by a frame,
   * a closed one by the site's webhook), renewed every keep-alive interval.
   */
  openMarks?: Pick<AwayRegistry, "streamOpen" | "streamClosed">;
}

/**
 * The live streams this replica holds, one per session: a second stream of the same session (a
 * reload, another tab), on this replica or another (`claims`), closes the first. A reconnect with
 * Last-Event-ID resumes after that event.
 * Streams are indexed by site and queue, so a queue change (`queueChanged`, from the routing events)
 * asks for a position read of only the customers waiting in that queue.
 */
export class CustomerStreams {
  private readonly open = new Map<string, CustomerStream>();
  /** site → queue → its streams. */
  private readonly byQueue = new Map<string, Map<QueueKey, Set<CustomerStream>>>();
  private readonly maxStreams: number;
  private readonly deps: CustomerStreamDeps;
  private readonly openMarks: CustomerStreamOptions["openMarks"];
  private readonly renewMarks: NodeJS.Timeout | undefined;
  private readonly hooks: CustomerStreamHooks = {
    moved: (stream, from) => {
      this.unindex(stream, from);
      this.index(stream);
    },
    finished: (stream) => {
      const key = streamKey(stream.credential);
      if (this.open.get(key) === stream) this.open.delete(key);
      this.unindex(stream, stream.queue);
      this.deps.refreshes.forget(stream);
      this.mark("streamClosed", stream);
    },
  };

  constructor(
    broker: CustomerBroker,
    positions: Pick<QueuePositions, "read">,
    sites: SitePortals,
    private readonly claims: Pick<StreamClaims, "claim">,
    logger: Logger,
    options: CustomerStreamOptions = {},
  ) {
    const refreshes = new RefreshQueue<CustomerStream>(
      options.refreshConcurrency ?? POSITION_BATCH_SIZE,
      (error: unknown) => logger.debug({ err: error }, "customer stream position read failed"),
    );
    this.deps = {
      broker,
      positions,
      sites,
      logger,
      refreshes,
      housekeepingMs: options.housekeepingMs ?? 2_000,
      safetyRefreshMs: options.safetyRefreshMs ?? 30_000,
      keepAliveMs: options.keepAliveMs ?? 15_000,
    };
    this.maxStreams = options.maxStreams ?? 20_000;
    this.openMarks = options.openMarks;
    if (this.openMarks) {
      this.renewMarks = setInterval(() => {
        for (const stream of this.open.values()) this.mark("streamOpen", stream);
      }, this.deps.keepAliveMs);
      this.renewMarks.unref();
    }
  }

  private mark(how: "streamOpen" | "streamClosed", stream: CustomerStream): void {
    this.openMarks?.[how](stream.credential, stream.generation).catch((error: unknown) => {
      this.deps.logger.debug({ err: error }, "open stream mark not written");
    });
  }

  /** Starts the stream; what fails before it starts (a wrong token...) is the caller's to answer. */
  async serve(res: Response, c: CustomerCredential, lastEventId: number | undefined): Promise<void> {
    const key = streamKey(c);
    if (this.open.size >= this.maxStreams && !this.open.has(key))
      throw new HttpProblem(429, "Too many requests", "this server holds as many streams as it can; retry", undefined, {
        reason: "LIMIT_REACHED",
      });
    const [first, portal] = await Promise.all([this.deps.broker.getSession(c), this.deps.sites.get(c.siteId)]);
    // Only after the broker took the token: a stranger must not close a customer's stream.
    const generation = await this.claims.claim(c.siteId, c.sessionId).catch((error: unknown) => {
      this.deps.logger.warn({ err: error }, "stream claim failed; only this replica's older stream is closed");
      return 0;
    });
    this.open.get(key)?.finish();
    const status = sessionStatusJson(first.session!, first.position);
    const queue = queueKeyOf(first.session!.target);
    const stream = new CustomerStream(this.deps, res, c, status, queue, portal, lastEventId, this.hooks, generation);
    this.open.set(key, stream);
    this.index(stream);
    this.mark("streamOpen", stream);
  }

  /** A routing event changed these queues: the customers waiting in them read their place again. */
  queueChanged(change: QueueChange): void {
    const queues = this.byQueue.get(change.siteId);
    if (!queues) return;
    const changed = change.queues === "site" ? [...queues.values()] : change.queues.map((q) => queues.get(q));
    for (const streams of changed)
      for (const stream of streams ?? []) if (stream.waiting) this.deps.refreshes.request(stream);
  }

  /** A stream of the session was opened (on any replica): an older one here closes. */
  claimed(claim: StreamClaim): void {
    const stream = this.open.get(streamKey(claim));
    if (stream && stream.generation < claim.generation) stream.finish();
  }

  /** At shutdown: every customer reconnects (to another replica) with his last id. */
  closeAll(): void {
    clearInterval(this.renewMarks);
    for (const stream of [...this.open.values()]) stream.finish();
  }

  private index(stream: CustomerStream): void {
    if (stream.queue === undefined) return;
    const { siteId } = stream.credential;
    const queues = this.byQueue.get(siteId) ?? new Map<QueueKey, Set<CustomerStream>>();
    this.byQueue.set(siteId, queues);
    const streams = queues.get(stream.queue) ?? new Set<CustomerStream>();
    queues.set(stream.queue, streams.add(stream));
  }

  private unindex(stream: CustomerStream, queue: QueueKey | undefined): void {
    if (queue === undefined) return;
    const { siteId } = stream.credential;
    const queues = this.byQueue.get(siteId);
    const streams = queues?.get(queue);
    if (!queues || !streams?.delete(stream) || streams.size > 0) return;
    queues.delete(queue);
    if (queues.size === 0) this.byQueue.delete(siteId);
  }
}

const streamKey = (c: Pick<CustomerCredential, "siteId" | "sessionId">) => `${c.siteId}/${c.sessionId}`;
