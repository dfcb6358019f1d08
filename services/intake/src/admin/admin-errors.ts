import type { FieldProblem } from "@handoff/runtime";

/** The site's portal config is not at the version the write expected (someone saved in between). */
export class PortalConfigVersionConflictError extends Error {
  constructor(
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(
      `the portal config is at version ${currentVersion}, not ${expectedVersion}: read it again and reapply your change`,
    );
    this.name = "PortalConfigVersionConflictError";
  }
}

/** A config that is well-formed but refused against the site's state (its routing, its previous version). */
export class PortalConfigRefusedError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.problem}`).join("; "));
    this.name = "PortalConfigRefusedError";
  }
}

/** No such version (or no config at all) for the caller's site. */
export class PortalConfigNotFoundError extends Error {
  constructor(siteId: string, version?: number) {
    super(
      version === undefined
        ? `site ${siteId} has no portal config yet`
        : `site ${siteId} has no portal config version ${version}`,
    );
    this.name = "PortalConfigNotFoundError";
  }
}
