import { sweepDue } from "@handoff/runtime";
import type { RoutingStore } from "../store/routing-store";

/** Deadlines fired per script call; the sweeper calls again while a site has more due. */
const BATCH = 200;
/**
 * Upper bound on the sleep between passes: another replica may have marked a site with an earlier
 * deadline (a new offer) since the last pass.
 */
const MAX_SLEEP_MS = 25;

/**
 * Fires due offer-expiry and overflow deadlines from each site's deadline sorted set; only the leader
 * runs it. Visits only the sites the `timers` due index says have something due (a write marks its
 * site, a visit settles it at the site's next deadline), so idle sites cost nothing; never scans queues.
 */
export class TimerSweeper {
  constructor(private readonly store: RoutingStore) {}

  /** One pass; returns the ms to wait before the next. */
  sweep(): Promise<number> {
    return sweepDue(this.store.due, "timers", (site) => this.fireDue(site), { maxSleepMs: MAX_SLEEP_MS });
  }

  /** Returns ms until the site's next deadline, undefined when it has none. */
  private async fireDue(site: string): Promise<number | undefined> {
    let result;
    do {
      result = await this.store.fireTimers(site, BATCH);
    } while (result.fired === BATCH);
    return result.nextInMs >= 0 ? result.nextInMs : undefined;
  }
}
