import { queuesNow } from "../domain/realtime";
import { localMidnight, wallboardDay, type WallboardDay } from "../domain/wallboard-day";
import type { RealtimeStore } from "../store/realtime-store";
import type { SessionFactsReader } from "../store/session-facts-reader";
import type { LiveSnapshot, LiveView } from "./live-view";

/** Reads a view's snapshot: queues and reps now on every call, the day's figures when asked. */
export class LiveSnapshotReader {
  constructor(
    private readonly realtime: RealtimeStore,
    private readonly facts: SessionFactsReader,
    private readonly now: () => number,
  ) {}

  async read(view: LiveView, previousDay: WallboardDay | undefined): Promise<LiveSnapshot> {
    const atMs = this.now();
    const [waiting, reps, day] = await Promise.all([
      this.realtime.waitingEntries(view.siteId),
      this.realtime.reps(view.siteId),
      previousDay ?? this.day(view, atMs),
    ]);
    return { atMs, queues: queuesNow(waiting, reps, atMs), reps, day };
  }

  private async day(view: LiveView, atMs: number): Promise<WallboardDay> {
    const sessions = await this.facts.queueFacts(view.siteId, localMidnight(view.timeZone, atMs), atMs + 1);
    return wallboardDay(sessions, view.timeZone, atMs, {
      answerThresholdMs: () => view.answerThresholdS * 1_000,
      shortAbandonMs: view.shortAbandonS * 1_000,
    });
  }
}
