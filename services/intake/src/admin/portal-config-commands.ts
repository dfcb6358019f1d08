import type { FieldProblem } from "@handoff/runtime";
import type { PortalConfig } from "../domain/portal-config";
import { portalConfigChangeProblems } from "../domain/portal-config-change";
import type { AcdRouting } from "../routing/acd-routing";
import type { PortalConfigStore, PortalConfigVersion, PortalConfigVersionSummary } from "../store/portal-config-store";
import { PortalConfigNotFoundError, PortalConfigRefusedError, PortalConfigVersionConflictError } from "./admin-errors";

/** Reads and versioned writes of a site's portal config, checked against its routing in the acd. */
export class PortalConfigCommands {
  constructor(
    private readonly store: PortalConfigStore,
    private readonly routing: AcdRouting,
  ) {}

  /** @throws PortalConfigNotFoundError */
  async current(siteId: string): Promise<PortalConfigVersion> {
    const current = await this.store.current(siteId);
    if (!current) throw new PortalConfigNotFoundError(siteId);
    return current;
  }

  /** @throws PortalConfigNotFoundError */
  async atVersion(siteId: string, version: number): Promise<PortalConfigVersion> {
    const found = await this.store.atVersion(siteId, version);
    if (!found) throw new PortalConfigNotFoundError(siteId, version);
    return found;
  }

  /** Up to `limit` versions below `before`, newest first. */
  history(siteId: string, limit: number, before?: number): Promise<PortalConfigVersionSummary[]> {
    return this.store.history(siteId, limit, before);
  }

  /**
   * Saves `config` as the version after `expectedVersion` (0 creates the first).
   * @throws PortalConfigVersionConflictError, PortalConfigRefusedError, AcdUnavailableError
   */
  async save(siteId: string, expectedVersion: number, config: PortalConfig, by: string): Promise<PortalConfigVersion> {
    const current = await this.store.current(siteId);
    const currentVersion = current?.version ?? 0;
    if (currentVersion !== expectedVersion) throw new PortalConfigVersionConflictError(expectedVersion, currentVersion);
    const problems = [
      ...portalConfigChangeProblems(current?.config, config),
      ...(await this.unknownProblemTypes(siteId, config.problemTypes)),
    ];
    if (problems.length > 0) throw new PortalConfigRefusedError(problems);
    const saved = await this.store.save(siteId, expectedVersion, config, by);
    if ("conflict" in saved) throw new PortalConfigVersionConflictError(expectedVersion, saved.currentVersion);
    return { ...saved, config };
  }

  /** The shown problem types must be the acd's, or the issue form would offer what cannot be routed. */
  private async unknownProblemTypes(siteId: string, shown: readonly string[]): Promise<FieldProblem[]> {
    if (shown.length === 0) return [];
    const routing = await this.routing.get(siteId);
    if (!routing)
      return [{ field: "config.problemTypes", problem: "the site has no routing config yet: put it first" }];
    const known = new Set(routing.problemTypes.map((p) => p.id));
    return shown.flatMap((id, i) =>
      known.has(id)
        ? []
        : [{ field: `config.problemTypes.${i}`, problem: `${id} is not a problem type of the site's routing config` }],
    );
  }
}
