import { status, type ServiceError } from "@grpc/grpc-js";
import { errorInfo, sweepDue, type Logger } from "@handoff/runtime";
import { routableCapacity, type RepSnapshot } from "../domain/rep-state";
import type { PresenceStore } from "../store/presence-store";
import type { AcdPort } from "./acd-client";

/** A dirty rep is re-pushed by the leader once his push is this overdue. */
const RETRY_AFTER_MS = 1_000;
const RETRY_BATCH = 200;
/** Shortest pause between two retries of a site. */
const RETRY_GAP_MS = RETRY_AFTER_MS / 2;
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
      const step = errorInfo(error);
      if (step?.reason === "VERSION_STEP" && step.domain === "handoff.acd") {
        // The acd bounds how far a version may jump; the rep counts on from the acd's version.
        const held = Number(step.metadata.stored_version);
        this.logger.warn(
          { site, repId: rep.repId, version: rep.version, held },
          "capacity version rebased on the acd's",
        );
        await this.store.rebaseVersion(site, rep.repId, held);
        return false;
      }
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

  /**
   * Leader duty: re-pushes the overdue dirty reps of the sites the `pushes` due index names (every
   * change marks its site); returns the ms to wait.
   */
  pushOverdue(): Promise<number> {
    return sweepDue(this.store.due, "pushes", (site) => this.pushSite(site), { maxSleepMs: RETRY_GAP_MS });
  }

  /** Returns ms until the site's next retry, undefined when no rep of it is dirty. */
  private async pushSite(site: string): Promise<number | undefined> {
    for (const repId of await this.store.dirtyReps(site, RETRY_AFTER_MS, RETRY_BATCH)) {
      const rep = await this.store.rep(site, repId);
      if (rep) await this.push(site, rep);
    }
    const next = await this.store.nextOverdueInMs(site, RETRY_AFTER_MS);
    // A rep the acd still refuses stays overdue: retry him no faster than before.
    return next === undefined ? undefined : Math.max(RETRY_GAP_MS, next);
  }
}
