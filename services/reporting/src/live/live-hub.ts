import type { AgentPrincipal, Logger } from "@handoff/runtime";
import { LiveFeed, type LiveFeedTiming, type LiveSink } from "./live-feed";
import type { LiveSnapshotReader } from "./live-snapshot-reader";
import { viewKey, type LiveView } from "./live-view";

export interface LiveStreamBounds {
  /** Open streams on this replica. */
  perReplica: number;
  /** Open streams of one site on this replica. */
  perSite: number;
  /** Open streams of one supervisor (site and subject) on this replica. */
  perSupervisor: number;
}

export type LiveStreamBound = "STREAMS_PER_REPLICA" | "STREAMS_PER_SITE" | "STREAMS_PER_SUPERVISOR";

export class LiveStreamsExhaustedError extends Error {
  constructor(readonly bound: LiveStreamBound) {
    super(`too many open live streams (${bound})`);
    this.name = "LiveStreamsExhaustedError";
  }
}

const bump = (counts: Map<string, number>, key: string, by: number): void => {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
};

/**
 * The replica's live streams: one feed per view, fed by the replica's one change feed (`changed`,
 * `resync`), with the bounds of what one replica, site and supervisor may hold open.
 */
export class LiveHub {
  private readonly feeds = new Map<string, LiveFeed>();
  private readonly feedsOfSite = new Map<string, Set<LiveFeed>>();
  private readonly perSite = new Map<string, number>();
  private readonly perSupervisor = new Map<string, number>();
  private open = 0;

  constructor(
    private readonly reader: LiveSnapshotReader,
    private readonly bounds: LiveStreamBounds,
    private readonly timing: LiveFeedTiming,
    private readonly logger: Logger,
  ) {}

  /**
   * Adds a stream: its first frame is a fresh read (shared with the streams that join meanwhile).
   * Returns its removal. Throws `LiveStreamsExhaustedError` when a bound is reached.
   */
  subscribe(principal: AgentPrincipal, view: LiveView, sink: LiveSink): () => void {
    const supervisor = `${principal.siteId}/${principal.repId}`;
    if (this.open >= this.bounds.perReplica) throw new LiveStreamsExhaustedError("STREAMS_PER_REPLICA");
    if ((this.perSite.get(view.siteId) ?? 0) >= this.bounds.perSite)
      throw new LiveStreamsExhaustedError("STREAMS_PER_SITE");
    if ((this.perSupervisor.get(supervisor) ?? 0) >= this.bounds.perSupervisor)
      throw new LiveStreamsExhaustedError("STREAMS_PER_SUPERVISOR");
    const key = viewKey(view);
    let feed = this.feeds.get(key);
    if (!feed) {
      feed = new LiveFeed(view, this.reader, this.timing, this.logger);
      this.feeds.set(key, feed);
      const ofSite = this.feedsOfSite.get(view.siteId) ?? new Set();
      this.feedsOfSite.set(view.siteId, ofSite.add(feed));
    }
    feed.sinks.add(sink);
    this.open += 1;
    bump(this.perSite, view.siteId, 1);
    bump(this.perSupervisor, supervisor, 1);
    feed.changed();
    let removed = false;
    const joined = feed;
    return () => {
      if (removed) return;
      removed = true;
      joined.sinks.delete(sink);
      this.open -= 1;
      bump(this.perSite, view.siteId, -1);
      bump(this.perSupervisor, supervisor, -1);
      if (joined.sinks.size === 0) this.drop(key, joined);
    };
  }

  /** A committed ingest changed the site: each of its feeds reads again. */
  changed(siteId: string): void {
    for (const feed of this.feedsOfSite.get(siteId) ?? []) feed.changed();
  }

  /** Changes may have been missed: every feed reads again. */
  resync(): void {
    for (const feed of this.feeds.values()) feed.changed();
  }

  /** Open streams on this replica. */
  get size(): number {
    return this.open;
  }

  private drop(key: string, feed: LiveFeed): void {
    feed.close();
    this.feeds.delete(key);
    const ofSite = this.feedsOfSite.get(feed.view.siteId);
    ofSite?.delete(feed);
    if (ofSite?.size === 0) this.feedsOfSite.delete(feed.view.siteId);
  }
}
