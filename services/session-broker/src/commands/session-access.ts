import { checkAccess, type AccessNeed, type RequesterValue } from "../domain/access";
import type { CredentialHasher } from "../domain/credential-hash";
import { NotAllowedError, SessionStateConflictError } from "../domain/errors";
import type { ParticipantRow, ParticipantStore } from "../store/participant-store";
import type { SessionChange } from "../store/session-store";

/**
 * Access checks made inside a session change, under the session's row lock, so the facts checked
 * (who is present, who is primary, the state) cannot change before the change commits.
 */
export class SessionAccess {
  constructor(
    private readonly participants: ParticipantStore,
    private readonly hasher: CredentialHasher,
  ) {}

  /** Checks `requester` for `need` on the locked session; returns the reps present. */
  async check(c: SessionChange, requester: RequesterValue, need: AccessNeed): Promise<ParticipantRow[]> {
    const present = await this.participants.present(c.tx, c.row.siteId, c.row.sessionId);
    checkAccess(need, requester, {
      customerTokenMatches:
        requester.kind === "customer" &&
        this.hasher.matches(c.row.customerTokenHash, "customer_token", c.row.siteId, requester.customerToken),
      participants: present,
    });
    return present;
  }
}

/** Requests only some kinds of requester may make (a supervisor does not answer for the customer). */
export function onlyRequesters(requester: RequesterValue, kinds: readonly RequesterValue["kind"][], what: string) {
  if (!kinds.includes(requester.kind)) throw new NotAllowedError(`only ${what}`);
}

/** @throws SessionStateConflictError unless the locked session is active. */
export function requireActive(c: SessionChange, why: string): void {
  if (c.row.state !== "active") throw new SessionStateConflictError(c.row.sessionId, c.row.state, why);
}
