import type { RoutingConfig } from "@handoff/proto/acd_service";
import type { PortalConfig } from "../domain/portal-config";
import type { AcdRouting } from "../routing/acd-routing";
import type { PortalConfigStore } from "../store/portal-config-store";

/** What the public portal needs of a site: its portal config and the acd's routing config (labels, teams). */
export interface SitePortal {
  siteId: string;
  version: number;
  config: PortalConfig;
  routing: RoutingConfig | undefined;
}

/** How long a site's configs are reused: every portal request would otherwise read PostgreSQL and the acd. */
export const SITE_CACHE_MS = 2_000;
/** Sites kept at once; the oldest goes first. */
const MAX_CACHED_SITES = 10_000;

/**
 * The sites' portals, read through the admin API's store (the only door to the portal configs) and the
 * acd, each kept for SITE_CACHE_MS: an admin's change reaches customers within that time.
 */
export class SitePortals {
  private readonly cache = new Map<string, { atMs: number; portal: Promise<SitePortal | undefined> }>();

  constructor(
    private readonly store: Pick<PortalConfigStore, "current">,
    private readonly routing: Pick<AcdRouting, "get">,
    private readonly now: () => number = Date.now,
  ) {}

  /** The site's portal, or undefined when its admin has not configured one. */
  get(siteId: string): Promise<SitePortal | undefined> {
    const cached = this.cache.get(siteId);
    if (cached && this.now() - cached.atMs < SITE_CACHE_MS) return cached.portal;
    const portal = this.load(siteId);
    // A failed read is not kept: the next request tries again.
    portal.catch(() => this.cache.delete(siteId));
    this.cache.delete(siteId);
    this.cache.set(siteId, { atMs: this.now(), portal });
    if (this.cache.size > MAX_CACHED_SITES) this.cache.delete(this.cache.keys().next().value!);
    return portal;
  }

  private async load(siteId: string): Promise<SitePortal | undefined> {
    const [stored, routing] = await Promise.all([this.store.current(siteId), this.routing.get(siteId)]);
    return stored && { siteId, version: stored.version, config: stored.config, routing };
  }
}
