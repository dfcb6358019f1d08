import { status, type ServiceError } from "@grpc/grpc-js";
import type { Logger } from "@handoff/runtime";
import { routableCapacity, type RepSnapshot } from "../domain/rep-state";
import type { PresenceStore } from "../store/presence-store";
import type { AcdPort } from "./acd-client";

/** A dirty rep is re-pushed by the leader once his push is this overdue. */
const RETRY_AFTER_MS = 1_000;
const RETRY_BATCH = 200;
const REFUSALS = new Set([status.INVALID_ARGUMENT, status.FAILED_PRECONDITION]);

/**
 * Tells the acd a rep's routable capacity after every change, with the rep's version so a late or
 * repeated push never wins over a newer one. A push that fails leaves the rep dirty; the leader
 * retries dirty reps, so acd and presence agree after any interleaving or outage.
 */
export class CapacityPusher {
  constructor(
    private readonly store: PresenceStore,
    private readonly acd: AcdPort,
    private readonly logger: Logger,
  ) {}

  async push(site: string, rep: RepSnapshot): Promise<boolean> {
    try {
      const result = await this.acd.setRepCapacity({
        siteId: site,
        repId: rep.repId,
        teamIds: rep.teamIds,
        skills: rep.skills,
        routableCapacity: routableCapacity(rep),
        version: rep.version,
        connected: rep.liveConnections > 0,
      });
      await this.store.markPushed(site, rep.repId, result.storedVersion);
      return true;
    } catch (error) {
      // A refusal (e.g. a site without routing config yet) stays dirty and is retried quietly, so the
      // rep reaches the acd once it can hold him; an outage is worth a warning.
      const refused = REFUSALS.has((error as ServiceError).code);
      this.logger[refused ? "debug" : "warn"](
        { err: error, site, repId: rep.repId, version: rep.version },
        "capacity push failed; will retry",
      );
      return false;
    }
  }

  /** Leader duty: re-pushes overdue dirty reps of every site; returns the ms to wait. */
  async pushOverdue(): Promise<number> {
    for (const site of await this.store.sites()) {
      for (const repId of await this.store.dirtyReps(site, RETRY_AFTER_MS, RETRY_BATCH)) {
        const rep = await this.store.rep(site, repId);
        if (rep) await this.push(site, rep);
      }
    }
    return RETRY_AFTER_MS / 2;
  }
}
