import type { QueuePosition } from "@handoff/proto/common";
import type { Session } from "@handoff/proto/session_broker_service";
import { currentGrants } from "../domain/permissions";
import { sessionToProto } from "../grpc/mappers";
import type { AcdPort } from "../routing/acd-port";
import type { ParticipantStore } from "../store/participant-store";
import type { SessionRow } from "../store/session-row";
import type { SessionStore } from "../store/session-store";

/** Assembles what callers see of a session: its row, reps present and current grants. */
export class SessionViews {
  constructor(
    private readonly store: SessionStore,
    private readonly participants: ParticipantStore,
    private readonly acd: AcdPort,
  ) {}

  async view(row: SessionRow): Promise<Session> {
    const [present, history] = await Promise.all([
      this.participants.present(this.store.pool, row.siteId, row.sessionId),
      this.store.eventsOfTypes(row.siteId, row.sessionId, ["permissionChanged"]),
    ]);
    const grants = currentGrants(
      history.flatMap((e) =>
        e.payload?.$case === "permissionChanged" ? [{ atMs: e.occurredAtMs, change: e.payload.permissionChanged }] : [],
      ),
    );
    return sessionToProto(
      row,
      present,
      grants.map((g) => ({ permission: g.permission, application: g.application, grantedAtMs: g.grantedAtMs })),
    );
  }

  /**
   * The queue position of a waiting session (undefined when not waiting or the acd does not answer).
   * `shownToCustomer`: the customer is told this estimate, so the acd records it for reporting.
   */
  async position(row: SessionRow, shownToCustomer = false): Promise<QueuePosition | undefined> {
    if (row.state !== "waiting" && row.state !== "offered") return undefined;
    return this.acd.position(row.siteId, row.sessionId, shownToCustomer).catch(() => undefined);
  }
}
