import { status } from "@grpc/grpc-js";
import {
  GrpcStatusError,
  InvalidArgumentError,
  requireId,
  requireDisplayName,
  requireQueueTarget,
  requireText,
  unary,
} from "@handoff/runtime";
import { InvitationChannel, type SessionBrokerServiceServer } from "@handoff/proto/session_broker_service";
import { InvitationNotSentError } from "../domain/credential-errors";
import { REQUESTED_TTL_BOUNDS, type CredentialKindName, type InvitationChannelName } from "../domain/credential-policy";
import type { BrokerDeps } from "./broker-deps";
import { toGrpcError, translated } from "./domain-errors";
import { CUSTOMER_LIMITS, optionalDuration, requireRep, requireRequester } from "./requests";

type Handlers = Pick<
  SessionBrokerServiceServer,
  | "createSessionKey"
  | "createInvitation"
  | "revokeInvitation"
  | "createAccessLink"
  | "useAccessLink"
  | "revokeAccessLink"
>;

/** What a caller may send as a key, token or secret (well above their real lengths). */
const MAX_CREDENTIAL_INPUT = 64;
const MAX_CLIENT_ADDRESS = 64;

const CHANNEL_NAMES: Partial<Record<InvitationChannel, InvitationChannelName>> = {
  [InvitationChannel.INVITATION_CHANNEL_EMAIL]: "email",
  [InvitationChannel.INVITATION_CHANNEL_CHAT]: "chat",
  [InvitationChannel.INVITATION_CHANNEL_PHONE]: "phone",
};

const requireTtl = (value: number, kind: CredentialKindName): number =>
  optionalDuration(value, "ttl_ms", ...REQUESTED_TTL_BOUNDS[kind]);

function requireChannel(value: InvitationChannel): InvitationChannelName {
  const channel = CHANNEL_NAMES[value];
  if (!channel) throw new InvalidArgumentError("channel", "must be EMAIL, CHAT or PHONE");
  return channel;
}

/** The e-mail address for EMAIL (required); for chat and phone an optional note of where it went. */
function requireCustomerAddress(value: string, channel: InvitationChannelName): string {
  const address = requireText(value, "customer_address", CUSTOMER_LIMITS.email, channel === "email" ? 1 : 0);
  if (channel === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address))
    throw new InvalidArgumentError("customer_address", "is not an e-mail address");
  return address;
}

/** Session keys, invitation links and access links. */
export function credentialHandlers({ logger, credentials, views }: BrokerDeps): Handlers {
  return {
    createSessionKey: unary("CreateSessionKey", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const requester = requireRep(req.requester);
      const target = req.target?.target ? requireQueueTarget(req.target, "target") : undefined;
      const ttlMs = requireTtl(req.ttlMs, "session_key");
      return translated(() => credentials.createSessionKey({ siteId, requester, target, ttlMs }));
    }),

    createInvitation: unary("CreateInvitation", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const requester = requireRep(req.requester);
      const channel = requireChannel(req.channel);
      const customerAddress = requireCustomerAddress(req.customerAddress, channel);
      const customerName = requireDisplayName(req.customerName, "customer_name", CUSTOMER_LIMITS.name, 0);
      const ttlMs = requireTtl(req.ttlMs, "invitation");
      try {
        return await credentials.createInvitation({ siteId, requester, ttlMs, channel, customerAddress, customerName });
      } catch (error) {
        if (!(error instanceof InvitationNotSentError)) throw toGrpcError(error);
        const unavailable = new GrpcStatusError(status.UNAVAILABLE, error.message, { cause: error });
        unavailable.metadata.set("reason", error.reason);
        throw unavailable;
      }
    }),

    revokeInvitation: unary("RevokeInvitation", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const invitationId = requireId(req.invitationId, "invitation_id");
      const requester = requireRep(req.requester);
      await translated(() => credentials.revokeInvitation(siteId, invitationId, requester));
      return {};
    }),

    createAccessLink: unary("CreateAccessLink", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRep(req.requester);
      const ttlMs = requireTtl(req.ttlMs, "access_link");
      return translated(() => credentials.createAccessLink(siteId, sessionId, requester, ttlMs));
    }),

    useAccessLink: unary("UseAccessLink", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const token = requireText(req.token, "token", MAX_CREDENTIAL_INPUT, 1);
      const secret = requireText(req.secret, "secret", MAX_CREDENTIAL_INPUT, 1);
      const requester = requireRep(req.requester);
      const clientAddress = requireText(req.clientAddress, "client_address", MAX_CLIENT_ADDRESS, 1);
      const row = await translated(() => credentials.useAccessLink(siteId, token, secret, requester, clientAddress));
      return { session: await views.view(row) };
    }),

    revokeAccessLink: unary("RevokeAccessLink", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const linkId = requireId(req.linkId, "link_id");
      const requester = requireRequester(req.requester);
      await translated(() => credentials.revokeAccessLink(siteId, linkId, requester));
      return {};
    }),
  };
}
