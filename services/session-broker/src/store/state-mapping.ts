import { ClientMode, EndReason, SessionState, StartMethod } from "@handoff/proto/common";
import type { ClientModeName, StartMethodName } from "./session-row";
import type { EndReasonName, SessionStateName } from "../domain/session-lifecycle";

const STATE_TO_PROTO: Record<SessionStateName, SessionState> = {
  created: SessionState.SESSION_STATE_CREATED,
  waiting: SessionState.SESSION_STATE_WAITING,
  offered: SessionState.SESSION_STATE_OFFERED,
  active: SessionState.SESSION_STATE_ACTIVE,
  ended: SessionState.SESSION_STATE_ENDED,
  abandoned: SessionState.SESSION_STATE_ABANDONED,
};

const END_REASON_TO_PROTO: Record<EndReasonName, EndReason> = {
  resolved: EndReason.END_REASON_RESOLVED,
  ended_by_rep: EndReason.END_REASON_ENDED_BY_REP,
  customer_left: EndReason.END_REASON_CUSTOMER_LEFT,
  abandoned: EndReason.END_REASON_ABANDONED,
  notice_exit: EndReason.END_REASON_NOTICE_EXIT,
  no_rep_available: EndReason.END_REASON_NO_REP_AVAILABLE,
  portal_closed: EndReason.END_REASON_PORTAL_CLOSED,
  rep_disconnected: EndReason.END_REASON_REP_DISCONNECTED,
  key_expired: EndReason.END_REASON_KEY_EXPIRED,
};

export const sessionStateToProto = (state: SessionStateName): SessionState => STATE_TO_PROTO[state];
export const endReasonToProto = (reason: EndReasonName | null): EndReason =>
  reason ? END_REASON_TO_PROTO[reason] : EndReason.END_REASON_UNSPECIFIED;

/** The reason a proto value names, or undefined for UNSPECIFIED (and unknown values). */
export function endReasonFromProto(value: EndReason): EndReasonName | undefined {
  return (Object.keys(END_REASON_TO_PROTO) as EndReasonName[]).find((name) => END_REASON_TO_PROTO[name] === value);
}

const START_METHOD_TO_PROTO: Record<StartMethodName, StartMethod> = {
  rep_list: StartMethod.START_METHOD_REP_LIST,
  issue_submission: StartMethod.START_METHOD_ISSUE_SUBMISSION,
  session_key: StartMethod.START_METHOD_SESSION_KEY,
  invitation_link: StartMethod.START_METHOD_INVITATION_LINK,
};

export const startMethodToProto = (method: StartMethodName): StartMethod => START_METHOD_TO_PROTO[method];

const CLIENT_MODE_TO_PROTO: Record<ClientModeName, ClientMode> = {
  click_to_chat: ClientMode.CLIENT_MODE_CLICK_TO_CHAT,
  full_client: ClientMode.CLIENT_MODE_FULL_CLIENT,
};

export const clientModeToProto = (mode: ClientModeName | null): ClientMode =>
  mode ? CLIENT_MODE_TO_PROTO[mode] : ClientMode.CLIENT_MODE_UNSPECIFIED;

/** The mode a proto value names, or undefined for UNSPECIFIED (and unknown values). */
export function clientModeFromProto(value: ClientMode): ClientModeName | undefined {
  return (Object.keys(CLIENT_MODE_TO_PROTO) as ClientModeName[]).find((name) => CLIENT_MODE_TO_PROTO[name] === value);
}
