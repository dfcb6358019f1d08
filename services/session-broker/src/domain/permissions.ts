import { PermissionChange, type PermissionChanged } from "@handoff/proto/events";
import type { Permission } from "@handoff/proto/common";

export interface Grant {
  permission: Permission;
  /** "" for the whole desktop. */
  application: string;
  grantedAtMs: number;
}

/**
 * The customer's current grants, folded from the permission history (requests, grants, denials,
 * revocations in sequence order): the history is the truth, this is only its sum.
 */
export function currentGrants(history: readonly { atMs: number; change: PermissionChanged }[]): Grant[] {
  const grants = new Map<string, Grant>();
  for (const { atMs, change } of history) {
    const key = `${change.permission}\0${change.application}`;
    if (change.change === PermissionChange.PERMISSION_CHANGE_GRANTED)
      grants.set(key, { permission: change.permission, application: change.application, grantedAtMs: atMs });
    else if (change.change === PermissionChange.PERMISSION_CHANGE_REVOKED) grants.delete(key);
  }
  return [...grants.values()];
}
