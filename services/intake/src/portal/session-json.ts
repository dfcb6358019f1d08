import {
  EndReason,
  endReasonToJSON,
  Permission,
  SessionState,
  type QueuePosition,
  type WaitEstimate,
} from "@handoff/proto/common";
import type { Session } from "@handoff/proto/session_broker_service";
import type { z } from "zod";
import type { PERMISSIONS, queuePosition, SESSION_STATES, sessionStatus } from "./portal-schemas";

export const STATE_NAMES: Partial<Record<SessionState, (typeof SESSION_STATES)[number]>> = {
  [SessionState.SESSION_STATE_CREATED]: "created",
  [SessionState.SESSION_STATE_WAITING]: "waiting",
  [SessionState.SESSION_STATE_OFFERED]: "offered",
  [SessionState.SESSION_STATE_ACTIVE]: "active",
  [SessionState.SESSION_STATE_ENDED]: "ended",
  [SessionState.SESSION_STATE_ABANDONED]: "abandoned",
};

export const PERMISSION_NAMES: Partial<Record<Permission, (typeof PERMISSIONS)[number]>> = {
  [Permission.PERMISSION_VIEW]: "view",
  [Permission.PERMISSION_CONTROL]: "control",
  [Permission.PERMISSION_FILE_TRANSFER]: "file_transfer",
  [Permission.PERMISSION_ELEVATION]: "elevation",
};

export const PERMISSION_OF = Object.fromEntries(
  Object.entries(PERMISSION_NAMES).map(([value, name]) => [name, Number(value) as Permission]),
) as Record<(typeof PERMISSIONS)[number], Permission>;

/** `END_REASON_NOTICE_EXIT` → `notice_exit`. */
export const endReasonName = (reason: EndReason): string =>
  endReasonToJSON(reason)
    .replace(/^END_REASON_/, "")
    .toLowerCase();

const NO_ESTIMATE: WaitEstimate = { p50Ms: 0, p90Ms: 0, known: false };

export const positionJson = (p: QueuePosition | undefined): z.infer<typeof queuePosition> => ({
  position: p?.position ?? 0,
  queueLength: p?.queueLength ?? 0,
  estimate: { ...NO_ESTIMATE, ...p?.estimate },
});

export const grantsJson = (grants: Session["granted"]) =>
  grants.flatMap((g) => {
    const permission = PERMISSION_NAMES[g.permission];
    return permission ? [{ permission, application: g.application }] : [];
  });

/** The session as its customer sees it: no rep notes, no customer data echoed back. */
export function sessionStatusJson(
  session: Session,
  position: QueuePosition | undefined,
): z.infer<typeof sessionStatus> {
  const state = STATE_NAMES[session.state] ?? "created";
  return {
    sessionId: session.sessionId,
    state,
    // Like the broker's feed, the customer is not told whom his session is being offered to.
    repId: state === "active" ? session.repId : null,
    position: positionJson(state === "waiting" ? position : undefined),
    endReason: session.endReason === EndReason.END_REASON_UNSPECIFIED ? null : endReasonName(session.endReason),
    granted: grantsJson(session.granted),
    lastSequence: session.lastSequence,
    keepPlace: {
      away: session.customerAway?.away ?? false,
      returnBy: session.customerAway?.returnByMs ? new Date(session.customerAway.returnByMs).toISOString() : null,
    },
  };
}
