import type { QueuePosition } from "@handoff/proto/common";
import { Permission, RepState } from "@handoff/proto/common";
import type { RepPresence } from "@handoff/proto/presence_service";
import type { z } from "zod";
import type { AgentApiDeps } from "./agent-api-deps";
import type { SessionRow } from "../store/session-row";
import type { queuePosition, repPresence, sessionView } from "./schemas";

type SessionJson = z.infer<typeof sessionView>;

const PERMISSION_NAMES: Partial<Record<Permission, SessionJson["granted"][number]["permission"]>> = {
  [Permission.PERMISSION_VIEW]: "view",
  [Permission.PERMISSION_CONTROL]: "control",
  [Permission.PERMISSION_FILE_TRANSFER]: "file_transfer",
  [Permission.PERMISSION_ELEVATION]: "elevation",
};

const STATE_NAMES: Partial<Record<RepState, z.infer<typeof repPresence>["state"]>> = {
  [RepState.REP_STATE_AVAILABLE]: "available",
  [RepState.REP_STATE_AWAY]: "away",
  [RepState.REP_STATE_BUSY]: "busy",
  [RepState.REP_STATE_OFFLINE]: "offline",
};

/** The session as the agent API shows it: names instead of proto enums, null for "none". */
export async function sessionJson(deps: Pick<AgentApiDeps, "views">, row: SessionRow): Promise<SessionJson> {
  const view = await deps.views.view(row);
  return {
    sessionId: row.sessionId,
    state: row.state,
    startMethod: row.startMethod,
    clientMode: row.clientMode,
    target: row.target.id ? { kind: row.target.kind, id: row.target.id } : null,
    problemTypeId: row.problemTypeId,
    priority: row.priority,
    customer: row.customer,
    repId: row.repId,
    epoch: row.epoch,
    offerExpiresAtMs: row.offerExpiresAtMs,
    participants: view.participants,
    granted: view.granted.flatMap((g) => {
      const permission = PERMISSION_NAMES[g.permission];
      return permission ? [{ permission, application: g.application, grantedAtMs: g.grantedAtMs }] : [];
    }),
    createdAtMs: row.createdAtMs,
    enqueuedAtMs: row.enqueuedAtMs,
    endedAtMs: row.endedAtMs,
    endReason: row.endReason,
    lastSequence: row.lastSequence,
  };
}

export const positionJson = (position: QueuePosition | undefined): z.infer<typeof queuePosition> | null =>
  position
    ? {
        position: position.position,
        queueLength: position.queueLength,
        estimate: {
          known: position.estimate?.known ?? false,
          p50Ms: position.estimate?.p50Ms ?? 0,
          p90Ms: position.estimate?.p90Ms ?? 0,
        },
      }
    : null;

export const repJson = (rep: RepPresence | undefined): z.infer<typeof repPresence> | null =>
  rep
    ? {
        repId: rep.repId,
        state: STATE_NAMES[rep.state] ?? "unknown",
        reason: rep.reasonCode,
        teamIds: rep.teamIds,
        capacity: rep.capacity,
        skills: rep.skills,
        liveConnections: rep.liveConnections,
        load: rep.load,
        stateSinceMs: rep.stateSinceMs,
      }
    : null;
