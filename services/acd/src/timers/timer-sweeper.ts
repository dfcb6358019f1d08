import type { RoutingStore } from "../store/routing-store";

/** Deadlines fired per script call; the sweeper calls again while a site has more due. */
const BATCH = 200;
/**
 * Upper bound on the sleep between passes: another replica may have added an earlier deadline
 * (a new offer) since the last pass.
 */
const MAX_SLEEP_MS = 25;

/**
 * Fires due offer-expiry and overflow deadlines of every site from their deadline sorted sets; only
 * the leader runs it. Sleeps until the earliest deadline, never scans queues.
 */
export class TimerSweeper {
  constructor(private readonly store: RoutingStore) {}

  /** One pass; returns the ms to wait before the next. */
  async sweep(): Promise<number> {
    let wait = MAX_SLEEP_MS;
    for (const site of await this.store.sites()) {
      let result;
      do {
        result = await this.store.fireTimers(site, BATCH);
      } while (result.fired === BATCH);
      if (result.nextInMs >= 0) wait = Math.min(wait, result.nextInMs);
    }
    return wait;
  }
}
