import { setTimeout as sleep } from "node:timers/promises";
import type { AcdRouting } from "../routing/acd-routing";
import type { PresenceSites } from "../routing/presence-sites";
import { SiteRetirementPendingError } from "../routing/retirement-errors";
import type { PortalConfigStore, SiteRetirementMark } from "../store/portal-config-store";

/**
 * How often a step that answers SITE_RETIREMENT_PENDING is asked, and the pause between: each ask
 * already waits up to 10 s in the acd or presence for the site's outbox to be relayed, so a third
 * would keep the admin's request open too long; he is told to retry instead (503).
 */
export const RETIRE_ATTEMPTS = 2;
const RETIRE_PAUSE_MS = 500;

export interface RetiredSite extends SiteRetirementMark {
  /** Redis keys the acd and presence removed (0 each when asked again after they had finished). */
  removedKeys: { acd: number; presence: number };
}

/**
 * Retires a site (issue 11 item 4) in the order that keeps it safe: the acd first, which refuses
 * while any session is in routing and otherwise takes the config away at once (no new session can
 * be routed); then presence forgets its reps; then intake marks its portal config retired, so the
 * portal answers 404. Every step may be asked again: a retirement cut short is finished by retrying.
 * The broker's sessions and reporting's facts of the site are history and stay (README).
 */
export class SiteRetirement {
  constructor(
    private readonly acd: Pick<AcdRouting, "retire">,
    private readonly presence: Pick<PresenceSites, "forget">,
    private readonly store: Pick<PortalConfigStore, "retire">,
  ) {}

  /** @throws SiteInUseError, SiteRetirementPendingError, AcdUnavailableError, PresenceUnavailableError */
  async retire(siteId: string, by: string): Promise<RetiredSite> {
    const acd = await untilRelayed(() => this.acd.retire(siteId));
    const presence = await untilRelayed(() => this.presence.forget(siteId));
    const mark = await this.store.retire(siteId, by);
    return { ...mark, removedKeys: { acd, presence } };
  }
}

async function untilRelayed(step: () => Promise<number>): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof SiteRetirementPendingError) || attempt >= RETIRE_ATTEMPTS) throw error;
      await sleep(RETIRE_PAUSE_MS);
    }
  }
}
