import type { SessionEvent } from "@handoff/agent-sdk";

// What the console shows, derived from the SDK's data without touching the DOM (unit-tested).

/** `0:42`, `12:05`, `1:02:03`: a waiting time or a time left, rounded down to the second. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  const mm = h > 0 ? String(m).padStart(2, "0") : String(m);
  return `${h > 0 ? `${h}:` : ""}${mm}:${String(s).padStart(2, "0")}`;
}

/** Whole seconds left before `deadlineMs` (0 once it passed): what an offer's countdown shows. */
export const secondsLeft = (deadlineMs: number, nowMs: number): number =>
  Math.max(0, Math.ceil((deadlineMs - nowMs) / 1000));

/** The acd's wait estimate as a person reads it. */
export function estimate(position: { estimate: { known: boolean; p50Ms: number; p90Ms: number } } | null): string {
  if (!position?.estimate.known) return "unknown";
  return `about ${clock(position.estimate.p50Ms)} (90%: ${clock(position.estimate.p90Ms)})`;
}

/** A field of an event payload as text ("" when it is missing or not text). */
export const str = (value: unknown): string =>
  typeof value === "string" ? value : typeof value === "number" ? String(value) : "";

/** `PERMISSION_FILE_TRANSFER` (an event's enum) or `file_transfer` (the API's) → `file_transfer`. */
export const permissionKey = (value: unknown): string =>
  str(value)
    .replace(/^PERMISSION_/, "")
    .toLowerCase();

/** `PERMISSION_FILE_TRANSFER` or `file_transfer` → `file transfer`. */
export const permissionName = (value: unknown): string => permissionKey(value).replace(/_/g, " ");

/** `PERMISSION_CHANGE_GRANTED` → `granted`. */
export const permissionChange = (value: unknown): string =>
  str(value)
    .replace(/^PERMISSION_CHANGE_/, "")
    .toLowerCase();

/** The site, rep and expiry a JWT claims, for display only (the broker checks tokens, the page does not). */
export function tokenClaims(token: string): { site?: string; rep?: string; expiresAtMs?: number } {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const claims = JSON.parse(json) as { site?: unknown; sub?: unknown; exp?: unknown };
    return {
      site: typeof claims.site === "string" ? claims.site : undefined,
      rep: typeof claims.sub === "string" ? claims.sub : undefined,
      expiresAtMs: typeof claims.exp === "number" ? claims.exp * 1000 : undefined,
    };
  } catch {
    return {};
  }
}

/** Comma- or space-separated team ids, without blanks and duplicates. */
export const teamList = (text: string): string[] => [...new Set(text.split(/[\s,]+/).filter(Boolean))];

/** One line of a session's log: who said or did what. */
export interface LogLine {
  kind: "chat" | "note" | "event";
  /** Who: "Customer", a rep id, or "" for the session itself. */
  who: string;
  text: string;
}

const CHANGE_WORDS: Record<string, string> = {
  PERMISSION_CHANGE_REQUESTED: "asked for",
  PERMISSION_CHANGE_GRANTED: "granted",
  PERMISSION_CHANGE_DENIED: "denied",
  PERMISSION_CHANGE_REVOKED: "revoked",
};

const person = (actor: unknown, id: unknown): string =>
  actor === "ACTOR_CUSTOMER" ? "Customer" : typeof id === "string" && id ? id : "System";

/** What one session event says in the session's log, or undefined for events the log leaves out. */
/** "12.3 MB": decimal units, as file managers show them. */
export function fileSize(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

export function logLine(event: SessionEvent): LogLine | undefined {
  const e = event as Record<string, Record<string, unknown> | undefined>;
  if (e.chatMessageSent) {
    const { from, fromId, text } = e.chatMessageSent;
    return { kind: "chat", who: person(from, fromId), text: str(text) };
  }
  if (e.noteAdded) return { kind: "note", who: str(e.noteAdded.repId), text: str(e.noteAdded.text) };
  if (e.permissionChanged) {
    const { permission, application, change, actor, actorId } = e.permissionChanged;
    const what = `${permissionName(permission)}${str(application) ? ` of ${str(application)}` : ""}`;
    return {
      kind: "event",
      who: person(actor, actorId),
      text: `${CHANGE_WORDS[str(change)] ?? permissionChange(change)} ${what}`,
    };
  }
  if (e.fileSendRequested) {
    const { fileName, sizeBytes } = e.fileSendRequested;
    return { kind: "event", who: "Customer", text: `asks to send ${str(fileName)} (${fileSize(Number(sizeBytes))})` };
  }
  if (e.fileSendAnswered) {
    const { allowed, actorId } = e.fileSendAnswered;
    return { kind: "event", who: str(actorId), text: allowed ? "allowed the file" : "declined the file" };
  }
  if (e.participantJoined) return { kind: "event", who: str(e.participantJoined.repId), text: "joined" };
  if (e.participantLeft)
    return { kind: "event", who: str(e.participantLeft.repId), text: `left (${str(e.participantLeft.reason)})` };
  if (e.nudged) return { kind: "event", who: person(e.nudged.from, e.nudged.fromId), text: "nudged" };
  if (e.controlHandedOver)
    return {
      kind: "event",
      who: str(e.controlHandedOver.fromRepId),
      text: `handed control to ${str(e.controlHandedOver.toRepId)}`,
    };
  if (e.sessionWaiting) return { kind: "event", who: "", text: "waiting in a queue again" };
  if (e.sessionClosed) {
    const reason = str(e.sessionClosed.reason).replace(/^END_REASON_/, "");
    return { kind: "event", who: "", text: `ended${reason ? ` (${reason.toLowerCase().replace(/_/g, " ")})` : ""}` };
  }
  return undefined;
}

/** Whether the event takes the session away from `repId`: it ended, or he left it (e.g. by a transfer). */
export function sessionIsOverFor(event: SessionEvent, repId: string): boolean {
  return event.sessionClosed !== undefined || event.participantLeft?.repId === repId;
}
