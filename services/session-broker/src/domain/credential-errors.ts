import { BrokerDomainError } from "./errors";

/** The session's recorded consent does not allow access links (FAILED_PRECONDITION). */
export class AccessLinkNotConsentedError extends BrokerDomainError {
  readonly reason = "ACCESS_LINK_NOT_CONSENTED";
  constructor(readonly sessionId: string) {
    super(`the customer of session ${sessionId} has not allowed access links`);
  }
}

/** An invitation that was redeemed already cannot be revoked: its session exists (FAILED_PRECONDITION). */
export class InvitationUsedError extends BrokerDomainError {
  readonly reason = "INVITATION_USED";
  constructor(readonly invitationId: string) {
    super(`invitation ${invitationId} was used already`);
  }
}

/** The notifier could not send an invitation; it was revoked again, so no unsent token stays live. */
export class InvitationNotSentError extends BrokerDomainError {
  readonly reason = "INVITATION_NOT_SENT";
  constructor(
    readonly invitationId: string,
    options?: { cause?: unknown },
  ) {
    super(`invitation ${invitationId} could not be sent; it was revoked`, options);
  }
}
