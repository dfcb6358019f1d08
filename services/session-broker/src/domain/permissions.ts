import { PermissionChange, type PermissionChanged, type SessionEvent } from "@handoff/proto/events";
import { Permission } from "@handoff/proto/common";
import { InvalidFieldError } from "./errors";

export interface Grant {
  permission: Permission;
  /** "" for the whole desktop. */
  application: string;
  grantedAtMs: number;
}

/** One entry of the permission history: a PermissionChanged event and when it happened. */
export interface PermissionHistoryEntry {
  atMs: number;
  change: PermissionChanged;
}

/** The permissions a rep may ask for. View and control may name one application; the others may not. */
export const REQUESTABLE_PERMISSIONS: readonly Permission[] = [
  Permission.PERMISSION_VIEW,
  Permission.PERMISSION_CONTROL,
  Permission.PERMISSION_FILE_TRANSFER,
  Permission.PERMISSION_ELEVATION,
];
const APPLICATION_SCOPED: readonly Permission[] = [Permission.PERMISSION_VIEW, Permission.PERMISSION_CONTROL];

/** Throws InvalidFieldError("application") when an application is named for a permission that has none. */
export function checkPermissionScope(permission: Permission, application: string): void {
  if (application && !APPLICATION_SCOPED.includes(permission))
    throw new InvalidFieldError("application", "may be set only for VIEW or CONTROL");
}

/** The permission history in a list of session events (in sequence order). */
export function permissionHistory(events: readonly SessionEvent[]): PermissionHistoryEntry[] {
  return events.flatMap((e) =>
    e.payload?.$case === "permissionChanged" ? [{ atMs: e.occurredAtMs, change: e.payload.permissionChanged }] : [],
  );
}

const keyOf = (permission: Permission, application: string) => `${permission}\0${application}`;

/**
 * The customer's current grants, folded from the permission history (requests, grants, denials,
 * revocations in sequence order): the history is the truth, this is only its sum. A grant holds from
 * its GRANTED entry until a REVOKED entry for the same permission and application; requests and
 * denials change no grant. Grants come out in the order they were (last) given.
 */
export function currentGrants(history: readonly PermissionHistoryEntry[]): Grant[] {
  const grants = new Map<string, Grant>();
  for (const { atMs, change } of history) {
    const key = keyOf(change.permission, change.application);
    if (change.change === PermissionChange.PERMISSION_CHANGE_GRANTED) {
      grants.delete(key);
      grants.set(key, { permission: change.permission, application: change.application, grantedAtMs: atMs });
    } else if (change.change === PermissionChange.PERMISSION_CHANGE_REVOKED) grants.delete(key);
  }
  return [...grants.values()];
}

export const isGranted = (grants: readonly Grant[], permission: Permission, application: string): boolean =>
  grants.some((g) => g.permission === permission && g.application === application);

/** Unanswered permission requests of one session; more is RESOURCE_EXHAUSTED. */
export const MAX_OPEN_PERMISSION_REQUESTS = 20;
