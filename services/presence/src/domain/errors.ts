/** Failures presence reports; the gRPC adapter maps them by class. */
export abstract class PresenceDomainError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class RepNotLoggedInError extends PresenceDomainError {
  constructor(readonly repId: string) {
    super(`rep ${repId} is not logged in`);
  }
}

export class RepUnknownError extends PresenceDomainError {
  constructor(readonly repId: string) {
    super(`rep ${repId} is not known to presence`);
  }
}

export class CapacityTooHighError extends PresenceDomainError {
  constructor(
    readonly capacity: number,
    readonly maximum: number,
  ) {
    super(`capacity ${capacity} is above the site's maximum of ${maximum}`);
  }
}

/** A new connection of a rep who already holds the most live connections allowed. */
export class RepConnectionLimitError extends PresenceDomainError {
  constructor(
    readonly repId: string,
    readonly limit: number,
  ) {
    super(`rep ${repId} already holds ${limit} live connections, the most allowed (MAX_CONNECTIONS_PER_REP)`);
  }
}

/** Logging in to a team the routing config does not list him in. */
export class TeamMembershipError extends PresenceDomainError {
  constructor(
    readonly repId: string,
    readonly teamId: string,
    readonly teamExists: boolean,
  ) {
    super(
      teamExists
        ? `rep ${repId} is not a member of team ${teamId}`
        : `team ${teamId} is not in the site's routing config`,
    );
  }
}
