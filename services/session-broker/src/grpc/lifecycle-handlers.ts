import {
  InvalidArgumentError,
  optionalId,
  requireEnumValue,
  requireEpoch,
  requireId,
  requireText,
  unary,
} from "@handoff/runtime";
import { AbandonReason, ClientMode, EndReason, StartMethod } from "@handoff/proto/common";
import {
  DisconnectFallback,
  type BrokerSettings,
  type CreateSessionRequest,
  type SessionBrokerServiceServer,
} from "@handoff/proto/session_broker_service";
import type { RedeemedPlacement } from "../commands/credential-redemption";
import type { SessionPlacement } from "../commands/session-lifecycle";
import {
  validateBrokerSettings,
  type BrokerSettingsValues,
  type DisconnectFallbackName,
} from "../domain/broker-settings";
import { StartKeyUnusedError } from "../domain/errors";
import type { ClientModeName } from "../store/session-row";
import { clientModeFromProto, endReasonFromProto } from "../store/state-mapping";
import type { BrokerDeps } from "./broker-deps";
import { translated } from "./domain-errors";
import { requireConsent, requireCustomer, requireRequester, startKeyOf } from "./requests";

type Handlers = Pick<
  SessionBrokerServiceServer,
  | "createSession"
  | "getSession"
  | "closeSession"
  | "acceptSessionOffer"
  | "rejectSessionOffer"
  | "takeNextSession"
  | "listRepSessions"
  | "putBrokerSettings"
  | "getBrokerSettings"
>;

const MAX_KEY_INPUT = 64;
const MAX_ADDRESS = 64;
const FALLBACK_TO_NAME: Partial<Record<DisconnectFallback, DisconnectFallbackName>> = {
  [DisconnectFallback.DISCONNECT_FALLBACK_WAIT_FOR_REP]: "wait_for_rep",
  [DisconnectFallback.DISCONNECT_FALLBACK_REQUEUE]: "requeue",
  [DisconnectFallback.DISCONNECT_FALLBACK_TEAM]: "team",
  [DisconnectFallback.DISCONNECT_FALLBACK_END]: "end",
};
const NAME_TO_FALLBACK = Object.fromEntries(
  Object.entries(FALLBACK_TO_NAME).map(([value, name]) => [name, Number(value)]),
) as Record<DisconnectFallbackName, DisconnectFallback>;

/** Where the request's start method sends the session; a key or link is checked (and rate limited) here. */
async function placementOf(
  deps: BrokerDeps,
  siteId: string,
  req: CreateSessionRequest,
): Promise<{ placement: SessionPlacement; consume?: RedeemedPlacement["consume"] }> {
  const address = requireText(req.clientAddress, "client_address", MAX_ADDRESS);
  switch (req.startMethod) {
    case StartMethod.START_METHOD_REP_LIST:
      return {
        placement: {
          startMethod: "rep_list",
          target: { kind: "rep", id: requireId(req.repId, "rep_id") },
          problemTypeId: "",
        },
      };
    case StartMethod.START_METHOD_ISSUE_SUBMISSION:
      return {
        placement: { startMethod: "issue_submission", problemTypeId: requireId(req.problemTypeId, "problem_type_id") },
      };
    case StartMethod.START_METHOD_SESSION_KEY:
      return deps.redemption.redeemSessionKey(
        siteId,
        requireText(req.sessionKey, "session_key", MAX_KEY_INPUT, 1),
        address,
      );
    case StartMethod.START_METHOD_INVITATION_LINK:
      return deps.redemption.redeemInvitation(
        siteId,
        requireText(req.invitationToken, "invitation_token", MAX_KEY_INPUT, 1),
        address,
      );
    default:
      throw new InvalidArgumentError(
        "start_method",
        "must be REP_LIST, ISSUE_SUBMISSION, SESSION_KEY or INVITATION_LINK",
      );
  }
}

function clientModeOf(value: ClientMode): ClientModeName {
  if (value === ClientMode.CLIENT_MODE_UNSPECIFIED) return "click_to_chat";
  const mode = clientModeFromProto(value);
  if (!mode) throw new InvalidArgumentError("client_mode", "must be CLICK_TO_CHAT or FULL_CLIENT");
  return mode;
}

function settingsFromProto(input: BrokerSettings | undefined): BrokerSettingsValues {
  if (!input) throw new InvalidArgumentError("settings", "is required");
  const fallback =
    input.disconnectFallback === DisconnectFallback.DISCONNECT_FALLBACK_UNSPECIFIED
      ? "requeue"
      : FALLBACK_TO_NAME[input.disconnectFallback];
  if (!fallback) throw new InvalidArgumentError("settings.disconnect_fallback", "is not a known DisconnectFallback");
  return {
    fallbackUrl: input.fallbackUrl,
    queueWhenNoRep: input.queueWhenNoRep,
    sessionKeyTtlMs: input.sessionKeyTtlMs,
    invitationTtlMs: input.invitationTtlMs,
    accessLinkTtlMs: input.accessLinkTtlMs,
    disconnectGraceMs: input.disconnectGraceMs,
    disconnectFallback: fallback,
    disconnectFallbackTeamId: optionalId(input.disconnectFallbackTeamId, "settings.disconnect_fallback_team_id"),
    invitationBaseUrl: input.invitationBaseUrl,
  };
}

const settingsToProto = (s: BrokerSettingsValues, version: number): BrokerSettings => ({
  ...s,
  disconnectFallback: NAME_TO_FALLBACK[s.disconnectFallback],
  version,
});

/** Create, read, accept, reject, take-next and close: the session's lifecycle over gRPC. */
export function lifecycleHandlers(deps: BrokerDeps): Handlers {
  const { logger, lifecycle, views, store } = deps;
  return {
    createSession: unary("CreateSession", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const customer = requireCustomer(req.customer);
      const consent = requireConsent(req.consent);
      const clientMode = clientModeOf(req.clientMode);
      const startKey = startKeyOf(req);
      const created = await translated(async () => {
        const repeated = startKey && (await lifecycle.repeatedStart(siteId, startKey));
        if (repeated) return repeated;
        if (req.repeatOnly) throw new StartKeyUnusedError();
        const { placement, consume } = await placementOf(deps, siteId, req);
        return lifecycle.create({
          siteId,
          placement,
          customer,
          consent,
          clientMode,
          portalClosed: req.portalClosed,
          consume,
          startKey,
        });
      });
      return {
        session: await views.view(created.row),
        position: created.repeated ? await views.position(created.row, true) : created.position,
        noRepAvailable: created.noRepAvailable,
        fallbackUrl: created.fallbackUrl,
        customerToken: created.customerToken,
      };
    }),

    getSession: unary("GetSession", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const row = await translated(() =>
        lifecycle.authorize(siteId, sessionId, requester, requester.kind === "customer" ? "customer" : "staff"),
      );
      const [session, position] = await Promise.all([
        views.view(row),
        views.position(row, requester.kind === "customer"),
      ]);
      return { session, position };
    }),

    closeSession: unary("CloseSession", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const unspecified = req.reason === EndReason.END_REASON_UNSPECIFIED;
      const reason = unspecified ? undefined : endReasonFromProto(req.reason);
      if (!unspecified && !reason) throw new InvalidArgumentError("reason", "is not a known EndReason");
      if (reason && requester.kind === "customer" && reason !== "customer_left" && reason !== "notice_exit")
        throw new InvalidArgumentError("reason", "a customer may only leave (CUSTOMER_LEFT or NOTICE_EXIT)");
      const abandonReason = requireEnumValue(req.abandonReason, AbandonReason, "abandon_reason");
      const row = await translated(() =>
        lifecycle.close(siteId, sessionId, requester, reason, abandonReason || undefined),
      );
      return { session: await views.view(row) };
    }),

    acceptSessionOffer: unary("AcceptSessionOffer", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const row = await translated(() =>
        lifecycle.accept(
          siteId,
          requireId(req.sessionId, "session_id"),
          requireId(req.repId, "rep_id"),
          requireEpoch(req.epoch, "epoch"),
        ),
      );
      return { session: await views.view(row) };
    }),

    rejectSessionOffer: unary("RejectSessionOffer", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      await translated(() =>
        lifecycle.reject(
          siteId,
          requireId(req.sessionId, "session_id"),
          requireId(req.repId, "rep_id"),
          requireEpoch(req.epoch, "epoch"),
        ),
      );
      return {};
    }),

    takeNextSession: unary("TakeNextSession", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const row = await translated(() => lifecycle.takeNext(siteId, requireId(req.repId, "rep_id")));
      return { session: row && (await views.view(row)) };
    }),

    listRepSessions: unary("ListRepSessions", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      const ids = await deps.participants.sessionIdsOfRep(siteId, repId);
      const rows = await Promise.all(ids.map((id) => store.get(siteId, id)));
      return { sessions: await Promise.all(rows.map((row) => views.view(row))) };
    }),

    putBrokerSettings: unary("PutBrokerSettings", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const settings = await translated(() =>
        Promise.resolve().then(() => validateBrokerSettings(settingsFromProto(req.settings))),
      );
      return { version: await deps.settings.put(siteId, settings) };
    }),

    getBrokerSettings: unary("GetBrokerSettings", logger, async (req) => {
      const stored = await deps.settings.get(requireId(req.siteId, "site_id"));
      return { settings: settingsToProto(stored.settings, stored.version) };
    }),
  };
}
