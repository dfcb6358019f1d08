import type { CapacityPusher } from "./routing-client/capacity-pusher";
import type { PresenceStore } from "./store/presence-store";

const BATCH = 500;
/** Another replica may add an earlier deadline (a new connection) since the last pass. */
const MAX_SLEEP_MS = 250;

/**
 * Leader duty: drops connections whose heartbeats stopped, from each site's deadline sorted set
 * (never a scan of all reps), and pushes the reps who went offline to the acd at once.
 */
export class HeartbeatSweeper {
  constructor(
    private readonly store: PresenceStore,
    private readonly pusher: CapacityPusher,
  ) {}

  async sweep(): Promise<number> {
    let wait = MAX_SLEEP_MS;
    for (const site of await this.store.sites()) {
      let result;
      do {
        result = await this.store.expireConnections(site, BATCH);
        for (const repId of result.offline) {
          const rep = await this.store.rep(site, repId);
          if (rep) await this.pusher.push(site, rep);
        }
      } while (result.dropped === BATCH);
      if (result.nextInMs >= 0) wait = Math.min(wait, result.nextInMs);
    }
    return wait;
  }
}
