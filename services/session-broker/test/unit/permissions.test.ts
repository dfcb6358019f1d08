import { describe, expect, it } from "vitest";
import { Actor, Permission } from "@handoff/proto/common";
import { PermissionChange, type PermissionChanged, type SessionEvent } from "@handoff/proto/events";
import { InvalidFieldError } from "../../src/domain/errors";
import {
  checkPermissionScope,
  currentGrants,
  isGranted,
  permissionHistory,
  type PermissionHistoryEntry,
} from "../../src/domain/permissions";

const { PERMISSION_VIEW: VIEW, PERMISSION_CONTROL: CONTROL, PERMISSION_FILE_TRANSFER: FILES } = Permission;
const {
  PERMISSION_CHANGE_REQUESTED: REQUESTED,
  PERMISSION_CHANGE_GRANTED: GRANTED,
  PERMISSION_CHANGE_DENIED: DENIED,
  PERMISSION_CHANGE_REVOKED: REVOKED,
} = PermissionChange;

const entry = (
  atMs: number,
  permission: Permission,
  change: PermissionChange,
  application = "",
): PermissionHistoryEntry => ({
  atMs,
  change: { permission, application, change, actor: Actor.ACTOR_CUSTOMER, actorId: "", requestId: "" },
});

describe("current grants", () => {
  it("are empty without history, and requests or denials grant nothing", () => {
    expect(currentGrants([])).toEqual([]);
    expect(currentGrants([entry(1, VIEW, REQUESTED), entry(2, VIEW, DENIED)])).toEqual([]);
  });

  it("hold from the grant until the revocation of the same permission and application", () => {
    const history = [
      entry(1, VIEW, REQUESTED),
      entry(2, VIEW, GRANTED),
      entry(3, CONTROL, GRANTED, "excel.exe"),
      entry(4, FILES, GRANTED),
    ];
    expect(currentGrants(history)).toEqual([
      { permission: VIEW, application: "", grantedAtMs: 2 },
      { permission: CONTROL, application: "excel.exe", grantedAtMs: 3 },
      { permission: FILES, application: "", grantedAtMs: 4 },
    ]);
    const revoked = currentGrants([...history, entry(5, CONTROL, REVOKED, "excel.exe"), entry(6, VIEW, REVOKED)]);
    expect(revoked).toEqual([{ permission: FILES, application: "", grantedAtMs: 4 }]);
  });

  it("keep the desktop and one application apart", () => {
    const grants = currentGrants([entry(1, CONTROL, GRANTED, "word.exe"), entry(2, CONTROL, REVOKED)]);
    expect(isGranted(grants, CONTROL, "word.exe")).toBe(true);
    expect(isGranted(grants, CONTROL, "")).toBe(false);
  });

  it("count a grant from its latest granting after a revocation", () => {
    const grants = currentGrants([entry(1, VIEW, GRANTED), entry(2, VIEW, REVOKED), entry(7, VIEW, GRANTED)]);
    expect(grants).toEqual([{ permission: VIEW, application: "", grantedAtMs: 7 }]);
  });

  it("ignore a revocation of something never granted", () => {
    expect(currentGrants([entry(1, VIEW, REVOKED), entry(2, VIEW, GRANTED)])).toHaveLength(1);
  });

  it("are folded from the permissionChanged events of a session's history only", () => {
    const changed: PermissionChanged = {
      permission: VIEW,
      application: "",
      change: GRANTED,
      actor: Actor.ACTOR_CUSTOMER,
      actorId: "",
      requestId: "r1",
    };
    const base = { eventId: "e", siteId: "s", sessionId: "x", state: 0 };
    const events: SessionEvent[] = [
      { ...base, sequence: 1, occurredAtMs: 10, payload: { $case: "nudged", nudged: { from: 4, fromId: "" } } },
      { ...base, sequence: 2, occurredAtMs: 20, payload: { $case: "permissionChanged", permissionChanged: changed } },
    ];
    expect(permissionHistory(events)).toEqual([{ atMs: 20, change: changed }]);
  });
});

describe("permission scope", () => {
  it("lets view and control name one application and nothing else", () => {
    expect(() => checkPermissionScope(VIEW, "excel.exe")).not.toThrow();
    expect(() => checkPermissionScope(CONTROL, "")).not.toThrow();
    expect(() => checkPermissionScope(FILES, "")).not.toThrow();
    expect(() => checkPermissionScope(FILES, "excel.exe")).toThrow(InvalidFieldError);
    expect(() => checkPermissionScope(Permission.PERMISSION_ELEVATION, "x")).toThrow(/application/);
  });
});
