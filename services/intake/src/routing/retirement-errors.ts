/** The acd refused to retire the site: `sessions` are still in routing (waiting, offered or active). */
export class SiteInUseError extends Error {
  constructor(
    readonly siteId: string,
    readonly sessions: number,
  ) {
    super(
      `site ${siteId} still has ${sessions} session(s) waiting, offered or active: end them (or let them end) first`,
    );
    this.name = "SiteInUseError";
  }
}

/**
 * The acd or presence dropped the site but has not relayed its outbox yet, so its keys stay: asking
 * again carries on where it stopped.
 */
export class SiteRetirementPendingError extends Error {
  constructor(
    readonly siteId: string,
    readonly service: "acd" | "presence",
  ) {
    super(`the ${service} has not relayed site ${siteId}'s last events yet; retire it again shortly`);
    this.name = "SiteRetirementPendingError";
  }
}

/** Presence did not answer: the site may be half forgotten there; retiring again carries on. */
export class PresenceUnavailableError extends Error {
  constructor(options?: ErrorOptions) {
    super("presence did not answer; retry", options);
    this.name = "PresenceUnavailableError";
  }
}
