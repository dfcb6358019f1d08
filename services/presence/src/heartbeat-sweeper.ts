import { sweepDue } from "@handoff/runtime";
import type { CapacityPusher } from "./routing-client/capacity-pusher";
import type { PresenceStore } from "./store/presence-store";

const BATCH = 500;
/** Another replica may mark a site with an earlier deadline (a new connection) since the last pass. */
const MAX_SLEEP_MS = 250;

/**
 * Leader duty: drops connections whose heartbeats stopped, from each site's deadline sorted set
 * (never a scan of all reps), and pushes the reps who went offline to the acd at once. Visits only the
 * sites the `heartbeats` due index says have a deadline due, so idle sites cost nothing.
 */
export class HeartbeatSweeper {
  constructor(
    private readonly store: PresenceStore,
    private readonly pusher: CapacityPusher,
  ) {}

  sweep(): Promise<number> {
    return sweepDue(this.store.due, "heartbeats", (site) => this.expireDue(site), { maxSleepMs: MAX_SLEEP_MS });
  }

  /** Returns ms until the site's next connection deadline, undefined when it has none. */
  private async expireDue(site: string): Promise<number | undefined> {
    let result;
    do {
      result = await this.store.expireConnections(site, BATCH);
      for (const repId of result.offline) {
        const rep = await this.store.rep(site, repId);
        if (rep) await this.pusher.push(site, rep);
      }
    } while (result.dropped === BATCH);
    return result.nextInMs >= 0 ? result.nextInMs : undefined;
  }
}
