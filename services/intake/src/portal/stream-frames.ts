import { abandonReasonToJSON, Actor, AbandonReason, EndReason, SessionState } from "@handoff/proto/common";
import { PermissionChange, type SessionClosed, type SessionEvent } from "@handoff/proto/events";
import { endReasonName, PERMISSION_NAMES, positionJson } from "./session-json";

/** One Server-Sent Event: frames from the session's history carry its sequence as their id. */
export interface StreamFrame {
  event: string;
  data: unknown;
  id?: number;
}

const CHANGE_NAMES: Partial<Record<PermissionChange, string>> = {
  [PermissionChange.PERMISSION_CHANGE_REQUESTED]: "requested",
  [PermissionChange.PERMISSION_CHANGE_GRANTED]: "granted",
  [PermissionChange.PERMISSION_CHANGE_DENIED]: "denied",
  [PermissionChange.PERMISSION_CHANGE_REVOKED]: "revoked",
};

const endData = (closed: SessionClosed) => ({
  reason: endReasonName(closed.reason),
  abandonReason:
    closed.abandonReason === AbandonReason.ABANDON_REASON_UNSPECIFIED
      ? null
      : abandonReasonToJSON(closed.abandonReason)
          .replace(/^ABANDON_REASON_/, "")
          .toLowerCase(),
  // The broker takes the exit survey only after an answered session that was not left from a notice.
  survey: closed.finalState === SessionState.SESSION_STATE_ENDED && closed.reason !== EndReason.END_REASON_NOTICE_EXIT,
});

/** How the customer's side names a rep: his display name on the portal, else his id. */
export type RepNames = (repId: string) => string;

/**
 * The names of the portal config's `reps` (the rep list's rule: a rep it does not name goes by his
 * id). Frames carry them because a closed portal lists no reps, so the widget has no other source.
 */
export const repNamesOf =
  (reps: readonly { repId: string; displayName: string }[] = []): RepNames =>
  (repId) =>
    reps.find((rep) => rep.repId === repId)?.displayName ?? repId;

/** What the customer sees of one event of his session's feed; undefined for what he need not see. */
function dataOf(
  payload: NonNullable<SessionEvent["payload"]>,
  atMs: number,
  repName: RepNames,
): [string, unknown] | undefined {
  switch (payload.$case) {
    case "sessionWaiting":
      return [
        "waiting",
        { reason: payload.sessionWaiting.reason, position: positionJson(payload.sessionWaiting.position) },
      ];
    case "sessionAssigned":
      return [
        "accepted",
        {
          repId: payload.sessionAssigned.repId,
          displayName: repName(payload.sessionAssigned.repId),
          waitedMs: payload.sessionAssigned.waitedMs,
        },
      ];
    case "chatMessageSent": {
      const chat = payload.chatMessageSent;
      const fromCustomer = chat.from === Actor.ACTOR_CUSTOMER;
      return [
        "chat",
        {
          from: fromCustomer ? "customer" : "rep",
          ...(fromCustomer ? {} : { repId: chat.fromId }),
          text: chat.text,
          at: new Date(atMs).toISOString(),
        },
      ];
    }
    case "permissionChanged": {
      const p = payload.permissionChanged;
      const permission = PERMISSION_NAMES[p.permission];
      const change = CHANGE_NAMES[p.change];
      if (!permission || !change) return undefined;
      return ["permission", { requestId: p.requestId, permission, application: p.application, change }];
    }
    case "fileSendRequested": {
      const { requestId, fileName, sizeBytes } = payload.fileSendRequested;
      return ["file", { requestId, fileName, sizeBytes, change: "requested" }];
    }
    case "fileSendAnswered": {
      const { requestId, allowed } = payload.fileSendAnswered;
      return ["file", { requestId, change: allowed ? "allowed" : "denied" }];
    }
    case "nudged":
      return ["nudge", { repId: payload.nudged.fromId }];
    case "participantJoined":
      return [
        "participant",
        { repId: payload.participantJoined.repId, displayName: repName(payload.participantJoined.repId), joined: true },
      ];
    case "participantLeft":
      return [
        "participant",
        {
          repId: payload.participantLeft.repId,
          displayName: repName(payload.participantLeft.repId),
          joined: false,
          reason: payload.participantLeft.reason,
        },
      ];
    case "sessionClosed":
      return ["end", endData(payload.sessionClosed)];
    // Keep my place: he left keeping his place, or is back; his turn is near (the page shows a notification).
    case "customerAwaySet":
      return ["away", { away: payload.customerAwaySet.away }];
    case "customerCalledBack":
      return ["callback", { returnBy: new Date(payload.customerCalledBack.returnByMs).toISOString() }];
    default:
      return undefined;
  }
}

/** The frame a customer gets for one event of his session's feed; events he need not see give none. */
export function frameOfEvent(event: SessionEvent, repName: RepNames = repNamesOf()): StreamFrame | undefined {
  const data = event.payload && dataOf(event.payload, event.occurredAtMs, repName);
  return data && { id: event.sequence, event: data[0], data: data[1] };
}
