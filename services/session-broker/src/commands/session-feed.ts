import type { SessionEvent } from "@handoff/proto/events";
import { endsFeed, hiddenFrom, type FeedAudience } from "../domain/feed-audience";
import { SessionLimitReachedError } from "../domain/errors";
import type { SessionEventHandlers } from "../store/session-event-listener";
import type { SessionStore } from "../store/session-store";

export interface SessionFeedOptions {
  /** Live feeds of one session in this process. @default 32 */
  maxPerSession?: number;
  /** Live feeds in this process. @default 5_000 */
  maxTotal?: number;
  /** Events read per query. @default 200 */
  pageSize?: number;
  /** A feed re-reads this often even without an announcement (a safety net only). @default 30_000 */
  safetyPollMs?: number;
}

/** Where a feed's events go. `write` resolves when the receiver can take more, or `signal` aborts. */
export interface FeedSink {
  write(event: SessionEvent, signal: AbortSignal): Promise<void>;
}

/** One live feed: the last sequence it delivered and a wake-up flag. */
class Watcher {
  private woken = false;
  private wakeUp?: () => void;

  constructor(public lastSent: number) {}

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /** Forgets earlier wake-ups: called just before reading, so a wake-up during the read is kept. */
  consume(): void {
    this.woken = false;
  }

  /** Resolves at the next wake-up (at once if one came since `consume`), at abort, or after `ms`. */
  wait(signal: AbortSignal, ms: number): Promise<void> {
    if (this.woken || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener("abort", done, { once: true });
      this.wakeUp = done;
    });
  }
}

/**
 * The live feeds of this process (WatchSession). Each feed reads the session's events from
 * PostgreSQL after the last sequence it delivered, writes them in order, then sleeps until the
 * per-process listener announces a commit of that session (by any replica) and reads again. A feed
 * registers before its first read, so an event committed meanwhile is either in that read or wakes it
 * afterwards; one reader per feed that only moves forward makes delivery exactly-once and in order.
 */
export class SessionFeed implements SessionEventHandlers {
  private readonly maxPerSession: number;
  private readonly maxTotal: number;
  private readonly pageSize: number;
  private readonly safetyPollMs: number;
  private readonly bySession = new Map<string, Set<Watcher>>();
  private total = 0;
  private readonly closing = new AbortController();

  constructor(
    private readonly store: SessionStore,
    options: SessionFeedOptions = {},
  ) {
    this.maxPerSession = options.maxPerSession ?? 32;
    this.maxTotal = options.maxTotal ?? 5_000;
    this.pageSize = options.pageSize ?? 200;
    this.safetyPollMs = options.safetyPollMs ?? 30_000;
  }

  /** Live feeds open in this process. */
  get size(): number {
    return this.total;
  }

  onEvents(siteId: string, sessionId: string, lastSequence: number): void {
    for (const watcher of this.bySession.get(keyOf(siteId, sessionId)) ?? [])
      if (watcher.lastSent < lastSequence) watcher.wake();
  }

  onResync(): void {
    for (const watchers of this.bySession.values()) for (const watcher of watchers) watcher.wake();
  }

  /**
   * Delivers the session's events after `afterSequence` to `sink` until `signal` aborts, the feed
   * closes (server shutdown) or the audience's rep left; a session's end does not end it (surveys
   * come after the close).
   * @throws SessionLimitReachedError when this session or this process has too many feeds
   */
  async watch(
    siteId: string,
    sessionId: string,
    afterSequence: number,
    audience: FeedAudience,
    sink: FeedSink,
    signal: AbortSignal,
  ): Promise<void> {
    const stop = AbortSignal.any([signal, this.closing.signal]);
    if (stop.aborted) return;
    const key = keyOf(siteId, sessionId);
    const watchers = this.bySession.get(key) ?? new Set<Watcher>();
    if (watchers.size >= this.maxPerSession)
      throw new SessionLimitReachedError(`at most ${this.maxPerSession} live feeds of one session per replica`);
    if (this.total >= this.maxTotal)
      throw new SessionLimitReachedError(`this replica serves ${this.maxTotal} live feeds already; try another`);
    const watcher = new Watcher(afterSequence);
    watchers.add(watcher);
    this.bySession.set(key, watchers);
    this.total++;
    const hidden = hiddenFrom(audience);
    try {
      while (!stop.aborted) {
        watcher.consume();
        for (;;) {
          const events = await this.store.events(siteId, sessionId, watcher.lastSent, this.pageSize, hidden);
          for (const event of events) {
            if (stop.aborted) return;
            await sink.write(event, stop);
            watcher.lastSent = event.sequence;
            if (endsFeed(audience, event)) return;
          }
          if (events.length < this.pageSize) break;
        }
        await watcher.wait(stop, this.safetyPollMs);
      }
    } finally {
      watchers.delete(watcher);
      if (watchers.size === 0) this.bySession.delete(key);
      this.total--;
    }
  }

  /** Ends every feed (their `watch` calls return) and refuses new ones: the server is shutting down. */
  close(): void {
    this.closing.abort();
  }
}

const keyOf = (siteId: string, sessionId: string) => `${siteId} ${sessionId}`;
