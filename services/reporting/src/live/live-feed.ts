import type { Logger } from "@handoff/runtime";
import type { LiveSnapshotReader } from "./live-snapshot-reader";
import type { LiveDay, LiveSnapshot, LiveView } from "./live-view";

/** Where a feed delivers its frames: one stream. */
export interface LiveSink {
  frame(snapshot: LiveSnapshot): void;
}

export interface LiveFeedTiming {
  /** Frames of one feed are at least this far apart: changes in between go into the next frame. */
  minFrameGapMs: number;
  /** The day's figures (a read of the whole day's facts) are read again at most this often. */
  dayRefreshMs: number;
}

/**
 * The frames of one view, shared by every stream of it: a change (or a new stream) asks for a frame,
 * and asks that come while one is read or too soon after the last go into one later read. So the
 * database sees at most one read per feed per `minFrameGapMs`, however many streams or events.
 */
export class LiveFeed {
  readonly sinks = new Set<LiveSink>();
  private timer: NodeJS.Timeout | undefined;
  private reading = false;
  private pending = false;
  private lastFrameAtMs = 0;
  private day: { readAtMs: number; read: LiveDay } | undefined;
  /** Set while a frame went out with the day's figures of an earlier read: they follow when due. */
  private dayDue: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly view: LiveView,
    private readonly reader: LiveSnapshotReader,
    private readonly timing: LiveFeedTiming,
    private readonly logger: Logger,
  ) {}

  /** Asks for a frame with what the database holds from now on. */
  changed(): void {
    if (this.closed) return;
    this.pending = true;
    if (this.reading || this.timer) return;
    const waitMs = Math.max(0, this.lastFrameAtMs + this.timing.minFrameGapMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.read();
    }, waitMs);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    clearTimeout(this.dayDue);
  }

  private async read(): Promise<void> {
    this.pending = false;
    this.reading = true;
    try {
      const fresh = this.day && Date.now() - this.day.readAtMs < this.timing.dayRefreshMs ? this.day.read : undefined;
      const { snapshot, day } = await this.reader.read(this.view, fresh);
      if (day !== fresh) {
        this.day = { readAtMs: snapshot.atMs, read: day };
        clearTimeout(this.dayDue);
        this.dayDue = undefined;
      } else if (!this.dayDue && this.day) {
        this.dayDue = setTimeout(
          () => {
            this.dayDue = undefined;
            this.changed();
          },
          this.day.readAtMs + this.timing.dayRefreshMs - Date.now(),
        );
      }
      if (!this.closed) for (const sink of this.sinks) sink.frame(snapshot);
    } catch (error) {
      // The next change asks again; the streams keep their last frame meanwhile.
      this.logger.warn({ err: error, siteId: this.view.siteId }, "live stream frame not read");
    } finally {
      this.reading = false;
      this.lastFrameAtMs = Date.now();
    }
    if (this.pending) this.changed();
  }
}
