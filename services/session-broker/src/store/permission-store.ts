import { Permission } from "@handoff/proto/common";
import type { SessionEvent } from "@handoff/proto/events";
import { decodeSessionEvent } from "./session-events";
import type { Tx } from "./session-store";

export type PermissionAnswer = "granted" | "denied";

export interface PermissionRequestRow {
  requestId: string;
  permission: Permission;
  application: string;
  requestedBy: string;
  requestedAtMs: number;
  answer: PermissionAnswer | null;
}

interface PermissionRequestRecord {
  request_id: string;
  permission: string;
  application: string;
  requested_by: string;
  requested_at_ms: string;
  answer: PermissionAnswer | null;
}

/** How `permission_requests.permission` spells each permission. */
const PERMISSION_NAME: Partial<Record<Permission, string>> = {
  [Permission.PERMISSION_VIEW]: "view",
  [Permission.PERMISSION_CONTROL]: "control",
  [Permission.PERMISSION_FILE_TRANSFER]: "file_transfer",
  [Permission.PERMISSION_ELEVATION]: "elevation",
};
const PERMISSION_OF = new Map(Object.entries(PERMISSION_NAME).map(([value, name]) => [name, Number(value)]));

const toRow = (r: PermissionRequestRecord): PermissionRequestRow => ({
  requestId: r.request_id,
  permission: PERMISSION_OF.get(r.permission) ?? Permission.PERMISSION_UNSPECIFIED,
  application: r.application,
  requestedBy: r.requested_by,
  requestedAtMs: Number(r.requested_at_ms),
  answer: r.answer,
});

/**
 * Permission requests (`permission_requests`, the open ones the customer must answer) and the
 * permission history (`session_events` of type permissionChanged). Always used inside a session
 * change, on its transaction: the session's row lock orders every request, answer and revocation.
 */
export class PermissionStore {
  async insert(tx: Tx, siteId: string, sessionId: string, request: Omit<PermissionRequestRow, "answer">) {
    await tx.query(
      `insert into permission_requests (site_id, session_id, request_id, permission, application, requested_by,
         requested_at_ms) values ($1, $2, $3, $4, $5, $6, $7)`,
      [
        siteId,
        sessionId,
        request.requestId,
        PERMISSION_NAME[request.permission] ?? String(request.permission),
        request.application,
        request.requestedBy,
        request.requestedAtMs,
      ],
    );
  }

  async find(tx: Tx, siteId: string, sessionId: string, requestId: string): Promise<PermissionRequestRow | undefined> {
    const result = await tx.query<PermissionRequestRecord>(
      "select * from permission_requests where site_id = $1 and session_id = $2 and request_id = $3",
      [siteId, sessionId, requestId],
    );
    return result.rows[0] && toRow(result.rows[0]);
  }

  /** Requests not answered yet, oldest first. */
  async open(tx: Tx, siteId: string, sessionId: string): Promise<PermissionRequestRow[]> {
    const result = await tx.query<PermissionRequestRecord>(
      `select * from permission_requests where site_id = $1 and session_id = $2 and answer is null
       order by requested_at_ms, request_id`,
      [siteId, sessionId],
    );
    return result.rows.map(toRow);
  }

  async answer(
    tx: Tx,
    siteId: string,
    sessionId: string,
    requestId: string,
    answer: PermissionAnswer,
    atMs: number,
  ): Promise<void> {
    await tx.query(
      `update permission_requests set answer = $4, answered_at_ms = $5
       where site_id = $1 and session_id = $2 and request_id = $3 and answer is null`,
      [siteId, sessionId, requestId, answer, atMs],
    );
  }

  /** The session's permissionChanged events in sequence order. */
  async history(tx: Tx, siteId: string, sessionId: string): Promise<SessionEvent[]> {
    const result = await tx.query<{ payload: Buffer }>(
      `select payload from session_events where site_id = $1 and session_id = $2 and type = 'permissionChanged'
       order by sequence`,
      [siteId, sessionId],
    );
    return result.rows.map((r) => decodeSessionEvent(r.payload));
  }
}
