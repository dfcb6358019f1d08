import { randomUUID } from "node:crypto";
import { Actor, permissionToJSON, type Permission } from "@handoff/proto/common";
import { PermissionChange, type PermissionChanged } from "@handoff/proto/events";
import { actorOf, type RequesterValue } from "../domain/access";
import {
  PermissionAlreadyGrantedError,
  PermissionNotGrantedError,
  RequestAlreadyAnsweredError,
  SessionLimitReachedError,
  UnknownReferenceError,
} from "../domain/errors";
import {
  checkPermissionScope,
  currentGrants,
  isGranted,
  MAX_OPEN_PERMISSION_REQUESTS,
  permissionHistory,
  type Grant,
} from "../domain/permissions";
import type { PermissionStore } from "../store/permission-store";
import type { SessionChange, SessionStore } from "../store/session-store";
import { onlyRequesters, requireActive, type SessionAccess } from "./session-access";

/**
 * A rep asks for view or control (of the desktop or one application), file transfer or elevation;
 * the customer grants or denies, and revokes whenever he wants. Every step is a PermissionChanged
 * event with its actor; the current grants are only ever folded from that history.
 */
export class PermissionCommands {
  constructor(
    private readonly store: SessionStore,
    private readonly permissions: PermissionStore,
    private readonly access: SessionAccess,
  ) {}

  /** Returns the request's id (the open request for the same permission, if there is one). */
  async request(
    siteId: string,
    sessionId: string,
    requester: RequesterValue,
    permission: Permission,
    application: string,
  ): Promise<string> {
    checkPermissionScope(permission, application);
    const { result } = await this.store.change(siteId, sessionId, async (c) => {
      onlyRequesters(requester, ["rep"], "a rep in the session asks the customer for permissions");
      await this.access.check(c, requester, "participant");
      requireActive(c, "permissions are asked for in an active session");
      if (isGranted(await this.grantsIn(c), permission, application))
        throw new PermissionAlreadyGrantedError(describe(permission, application));
      const open = await this.permissions.open(c.tx, siteId, sessionId);
      const same = open.find((r) => r.permission === permission && r.application === application);
      if (same) return same.requestId;
      if (open.length >= MAX_OPEN_PERMISSION_REQUESTS)
        throw new SessionLimitReachedError(`at most ${MAX_OPEN_PERMISSION_REQUESTS} unanswered permission requests`);
      const requestId = randomUUID();
      await this.permissions.insert(c.tx, siteId, sessionId, {
        requestId,
        permission,
        application,
        requestedBy: requester.id,
        requestedAtMs: c.nowMs,
      });
      emitChange(c, {
        permission,
        application,
        change: PermissionChange.PERMISSION_CHANGE_REQUESTED,
        actor: Actor.ACTOR_REP,
        actorId: requester.id,
        requestId,
      });
      return requestId;
    });
    return result;
  }

  /** The customer grants or denies an open request; returns the grants afterwards. */
  async answer(
    siteId: string,
    sessionId: string,
    requester: RequesterValue,
    requestId: string,
    granted: boolean,
  ): Promise<Grant[]> {
    const { result } = await this.store.change(siteId, sessionId, async (c) => {
      onlyRequesters(requester, ["customer"], "the customer answers a permission request");
      await this.access.check(c, requester, "customer");
      const request = await this.permissions.find(c.tx, siteId, sessionId, requestId);
      if (!request) throw new UnknownReferenceError("request_id", `no permission request ${requestId} in this session`);
      if (request.answer)
        throw new RequestAlreadyAnsweredError(`permission request ${requestId} was ${request.answer}`);
      requireActive(c, "permissions are granted in an active session");
      await this.permissions.answer(c.tx, siteId, sessionId, requestId, granted ? "granted" : "denied", c.nowMs);
      const change: PermissionChanged = {
        permission: request.permission,
        application: request.application,
        change: granted ? PermissionChange.PERMISSION_CHANGE_GRANTED : PermissionChange.PERMISSION_CHANGE_DENIED,
        actor: actorOf(requester),
        actorId: "",
        requestId,
      };
      const history = await this.historyIn(c);
      emitChange(c, change);
      return currentGrants([...history, { atMs: c.nowMs, change }]);
    });
    return result;
  }

  /** The customer takes back a grant, at any time; returns the grants afterwards. */
  async revoke(
    siteId: string,
    sessionId: string,
    requester: RequesterValue,
    permission: Permission,
    application: string,
  ): Promise<Grant[]> {
    const { result } = await this.store.change(siteId, sessionId, async (c) => {
      onlyRequesters(requester, ["customer"], "the customer revokes a permission");
      await this.access.check(c, requester, "customer");
      const history = await this.historyIn(c);
      if (!isGranted(currentGrants(history), permission, application))
        throw new PermissionNotGrantedError(describe(permission, application));
      const change: PermissionChanged = {
        permission,
        application,
        change: PermissionChange.PERMISSION_CHANGE_REVOKED,
        actor: actorOf(requester),
        actorId: "",
        requestId: "",
      };
      emitChange(c, change);
      return currentGrants([...history, { atMs: c.nowMs, change }]);
    });
    return result;
  }

  /**
   * Inside a change in which reps leave: their unanswered requests are denied by the system (nobody
   * is left to use the answer), and when everyone leaves (transfer, re-queue) every grant is revoked
   * by the system, since the customer granted it to the reps who were there.
   */
  async releaseIn(c: SessionChange, leaving: readonly string[] | "everyone"): Promise<void> {
    const { siteId, sessionId } = c.row;
    for (const request of await this.permissions.open(c.tx, siteId, sessionId)) {
      if (leaving !== "everyone" && !leaving.includes(request.requestedBy)) continue;
      await this.permissions.answer(c.tx, siteId, sessionId, request.requestId, "denied", c.nowMs);
      emitChange(c, {
        permission: request.permission,
        application: request.application,
        change: PermissionChange.PERMISSION_CHANGE_DENIED,
        actor: Actor.ACTOR_SYSTEM,
        actorId: "",
        requestId: request.requestId,
      });
    }
    if (leaving !== "everyone") return;
    for (const grant of currentGrants(await this.historyIn(c)))
      emitChange(c, {
        permission: grant.permission,
        application: grant.application,
        change: PermissionChange.PERMISSION_CHANGE_REVOKED,
        actor: Actor.ACTOR_SYSTEM,
        actorId: "",
        requestId: "",
      });
  }

  /** The committed permission history; read on the change's transaction, after its lock. */
  private async historyIn(c: SessionChange) {
    return permissionHistory(await this.permissions.history(c.tx, c.row.siteId, c.row.sessionId));
  }

  private async grantsIn(c: SessionChange): Promise<Grant[]> {
    return currentGrants(await this.historyIn(c));
  }
}

function emitChange(c: SessionChange, change: PermissionChanged): void {
  c.emit({ $case: "permissionChanged", permissionChanged: change });
}

const describe = (permission: Permission, application: string) =>
  `${permissionToJSON(permission)}${application ? ` for ${application}` : ""}`;
