import type { Logger } from "@handoff/runtime";

/** An invitation to send to a customer by e-mail. */
export interface InvitationMessage {
  siteId: string;
  invitationId: string;
  /** The inviting rep. */
  repId: string;
  /** The customer's e-mail address. */
  address: string;
  customerName: string;
  /** The link with the token: a bearer credential until it is used, revoked or expires. */
  url: string;
  /** The part of `url` that is secret. */
  token: string;
  expiresAtMs: number;
}

/** Sends invitation links (e-mail today). A rejection means nothing was sent. */
export interface InvitationNotifier {
  send(message: InvitationMessage): Promise<void>;
}

/** "carl@example.com" → "c***@example.com": enough to tell invitations apart in a log. */
export const maskAddress = (address: string): string => address.replace(/^(.)[^@]*@/, "$1***@");

/**
 * The default notifier, until a mail transport is wired: it logs the invitation. At info level the
 * token is left out of the link (and the address masked): logs travel to more places and people than
 * the credential tables, and the rep already has the link from CreateInvitation's answer. The whole
 * link is logged at debug level only, where a developer running without mail can follow it as the
 * customer would.
 */
export class LoggingInvitationNotifier implements InvitationNotifier {
  constructor(private readonly logger: Logger) {}

  send(message: InvitationMessage): Promise<void> {
    const { siteId, invitationId, repId, expiresAtMs } = message;
    this.logger.info(
      {
        siteId,
        invitationId,
        repId,
        to: maskAddress(message.address),
        link: message.url.replace(message.token, "<token>"),
        expiresAtMs,
      },
      "invitation e-mail (logged, not sent: no mail transport configured)",
    );
    this.logger.debug({ invitationId, url: message.url }, "invitation link");
    return Promise.resolve();
  }
}
