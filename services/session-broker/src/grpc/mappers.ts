import type { PermissionGrant, Session } from "@handoff/proto/session_broker_service";
import { targetToProto } from "../routing/acd-port";
import type { ParticipantRow } from "../store/participant-store";
import type { SessionRow } from "../store/session-row";
import { clientModeToProto, endReasonToProto, sessionStateToProto, startMethodToProto } from "../store/state-mapping";

/** The session as callers see it (never its customer token hash). */
export function sessionToProto(
  row: SessionRow,
  participants: readonly ParticipantRow[] = [],
  granted: readonly PermissionGrant[] = [],
): Session {
  return {
    siteId: row.siteId,
    sessionId: row.sessionId,
    startMethod: startMethodToProto(row.startMethod),
    state: sessionStateToProto(row.state),
    target: row.target.id ? targetToProto(row.target) : undefined,
    problemTypeId: row.problemTypeId,
    customer: row.customer,
    consent: row.consent,
    repId: row.repId ?? "",
    epoch: row.epoch,
    granted: [...granted],
    createdAtMs: row.createdAtMs,
    participants: participants
      .filter((p) => p.leftAtMs === null)
      .map((p) => ({
        repId: p.repId,
        primary: p.primary,
        joinedAtMs: p.joinedAtMs,
        disconnected: p.disconnectedAtMs !== null,
      })),
    endReason: endReasonToProto(row.endReason),
    endedAtMs: row.endedAtMs ?? 0,
    lastSequence: row.lastSequence,
    enqueuedAtMs: row.enqueuedAtMs,
    priority: row.priority,
    offerExpiresAtMs: row.offerExpiresAtMs ?? 0,
    clientMode: clientModeToProto(row.clientMode),
    customerAway: customerAwayToProto(row),
  };
}

/** Keep my place as the customer (and intake) see it. */
export const customerAwayToProto = (row: SessionRow) => ({
  away: row.away,
  calledBackAtMs: row.calledBackAtMs ?? 0,
  returnByMs: row.returnByMs ?? 0,
});
