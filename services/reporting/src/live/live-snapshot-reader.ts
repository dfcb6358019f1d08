import { queuesNow } from "../domain/realtime";
import { effectiveSettings, figureSettings, type SiteSettings } from "../domain/site-settings";
import { localMidnight, wallboardDay, type WallboardDay } from "../domain/wallboard-day";
import type { RealtimeStore } from "../store/realtime-store";
import type { SessionFactsReader } from "../store/session-facts-reader";
import type { SiteSettingsStore } from "../store/site-settings-store";
import type { LiveDay, LiveSettings, LiveSnapshot, LiveView } from "./live-view";

const sameSettings = (a: LiveSettings, b: LiveSettings) =>
  a.timeZone === b.timeZone && a.answerThresholdS === b.answerThresholdS && a.shortAbandonS === b.shortAbandonS;

const liveSettings = (s: SiteSettings): LiveSettings => ({
  timeZone: s.timeZone,
  answerThresholdS: s.answerThresholdMs / 1_000,
  shortAbandonS: s.shortAbandonMs / 1_000,
});

/**
 * Reads a view's snapshot: the site's settings (a key lookup) and queues and reps now on every call;
 * the day's figures when no earlier day of the same settings is handed in.
 */
export class LiveSnapshotReader {
  constructor(
    private readonly realtime: RealtimeStore,
    private readonly facts: SessionFactsReader,
    private readonly siteSettings: SiteSettingsStore,
    private readonly now: () => number,
  ) {}

  async read(view: LiveView, previousDay: LiveDay | undefined): Promise<{ snapshot: LiveSnapshot; day: LiveDay }> {
    const atMs = this.now();
    const used = effectiveSettings(await this.siteSettings.of(view.siteId), view);
    const settings = liveSettings(used);
    const reuse = previousDay && sameSettings(previousDay.settings, settings) ? previousDay : undefined;
    const [waiting, reps, figures] = await Promise.all([
      this.realtime.waitingEntries(view.siteId),
      this.realtime.reps(view.siteId),
      reuse?.figures ?? this.day(view.siteId, used, atMs),
    ]);
    const day = reuse ?? { settings, figures };
    return { snapshot: { atMs, settings, queues: queuesNow(waiting, reps, atMs), reps, day: figures }, day };
  }

  private async day(siteId: string, settings: SiteSettings, atMs: number): Promise<WallboardDay> {
    const sessions = await this.facts.queueFacts(siteId, localMidnight(settings.timeZone, atMs), atMs + 1);
    return wallboardDay(sessions, settings.timeZone, atMs, figureSettings(settings));
  }
}
