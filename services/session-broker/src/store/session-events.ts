import { randomUUID } from "node:crypto";
import { SessionEvent } from "@handoff/proto/events";
import { sessionStateToProto } from "./state-mapping";
import type { SessionRow } from "./session-row";

/** One case of SessionEvent's payload oneof, e.g. `{ $case: "chatMessageSent", chatMessageSent: {...} }`. */
export type SessionEventPayload = NonNullable<SessionEvent["payload"]>;
export type SessionEventType = SessionEventPayload["$case"];

/** The channel a committed event is announced on (pg NOTIFY); the payload is "site session sequence". */
export const SESSION_EVENTS_CHANNEL = "handoff_session_events";
/**
 * The channel a new invitation of a rep into a session is announced on, so the replicas serving the
 * invitee's sockets tell him; the payload is a JSON `RepInvitationNotice`.
 */
export const REP_INVITATIONS_CHANNEL = "handoff_rep_invitations";

/** What an invitation's announcement carries (ids are bounded, so it stays far below NOTIFY's 8 KB). */
export interface RepInvitationNotice {
  siteId: string;
  sessionId: string;
  invitationId: string;
  byRepId: string;
  invitee: { kind: "rep" | "team"; id: string };
}

/** Announces new outbox rows to the relay. */
export const OUTBOX_CHANNEL = "handoff_session_outbox";

/** The SessionEvent for the next sequence of `row`, in the state the session has after the change. */
export function buildSessionEvent(
  row: SessionRow,
  sequence: number,
  occurredAtMs: number,
  payload: SessionEventPayload,
): SessionEvent {
  return {
    eventId: randomUUID(),
    occurredAtMs,
    siteId: row.siteId,
    sessionId: row.sessionId,
    sequence,
    state: sessionStateToProto(row.state),
    payload,
  };
}

export const encodeSessionEvent = (event: SessionEvent): Buffer => Buffer.from(SessionEvent.encode(event).finish());
export const decodeSessionEvent = (bytes: Uint8Array): SessionEvent => SessionEvent.decode(bytes);
