import type { SessionView } from "./views.js";

/** An offer of a session to the rep: accept it with its `epoch` before `expiresAtMs`. */
export interface Offer {
  sessionId: string;
  /** The offer's fencing token; `acceptOffer` and `rejectOffer` name it. */
  epoch: number;
  /** When the offer lapses (ms since the epoch, the broker's clock). */
  expiresAtMs: number;
  /** The queue it came from: a team or the rep's personal queue. */
  fromQueue?: { teamId: string } | { repId: string };
}

/**
 * One event of a session the rep takes part in (or is offered), as the broker records it: `sequence`
 * counts per session from 1, `state` is the session's state after it, and exactly one payload field
 * is set (`chatMessageSent`, `permissionChanged`, `participantJoined`, `sessionAssigned`, ...).
 */
export interface SessionEvent {
  eventId: string;
  sessionId: string;
  sequence: number;
  occurredAtMs: number;
  state: string;
  chatMessageSent?: { text: string; [field: string]: unknown };
  permissionChanged?: Record<string, unknown>;
  participantJoined?: { repId: string; [field: string]: unknown };
  participantLeft?: { repId: string; reason: string };
  sessionAssigned?: { repId: string; epoch: number; waitedMs: number };
  sessionOfferLapsed?: { repId: string; epoch: number; outcome: string };
  sessionClosed?: Record<string, unknown>;
  /** The customer asks to send a file: answer with `answerFileSend(sessionId, requestId, allowed)`. */
  fileSendRequested?: { requestId: string; fileName: string; sizeBytes: number };
  /** The answer to a file-send request; `allowed` is left out when false (proto JSON). */
  fileSendAnswered?: { requestId: string; allowed?: boolean; actor: string; actorId?: string };
  [payload: string]: unknown;
}

/**
 * A change of the rep's presence, as presence publishes it: exactly one payload field is set
 * (`repStateChanged` with `state` such as `REP_STATE_AWAY` and `reasonCode`, `repLoggedIn`,
 * `repLoggedOut`, `repCapacitySet`, `repConnectionDropped`).
 */
export interface PresenceEvent {
  eventId: string;
  siteId: string;
  repId: string;
  occurredAtMs: number;
  repStateChanged?: { state: string; reasonCode: string; previousState: string; [field: string]: unknown };
  [payload: string]: unknown;
}

/** An invitation of the rep (or of a team of his) into another rep's session: `answerInvitation` it. */
export interface RepInvitation {
  sessionId: string;
  invitationId: string;
  byRepId: string;
  invitee: { kind: "rep" | "team"; id: string };
}

/** Frames of the rep's log: numbered per rep, resumable. */
export type LogFrame =
  | { seq: number; type: "offer"; offer: Offer }
  | { seq: number; type: "invitation"; invitation: RepInvitation }
  | { seq: number; type: "session"; sessionId: string; event: SessionEvent }
  | { seq: number; type: "presence"; event: PresenceEvent };

/** Control frames: not numbered. */
export type ControlFrame =
  | {
      type: "hello";
      connectionId: string;
      repId: string;
      logId: string;
      seq: number;
      heartbeatMs: number;
      limits: { maxMessageBytes: number; maxMessagesPerSecond: number; maxSocketsPerRep: number };
    }
  | { type: "resync"; reason: "UNKNOWN_LOG" | "TOO_FAR_BEHIND" | "AHEAD_OF_LOG"; logId: string; seq: number }
  | { type: "pong" }
  | {
      type: "error";
      /** NOT_A_PARTICIPANT, DEPENDENCY_UNAVAILABLE (follow the session again after `retryAfterS`), a broker rule, or INTERNAL. */
      reason: string;
      sessionId?: string;
      /** With DEPENDENCY_UNAVAILABLE: what the broker could not reach (`postgresql`, `redis`). */
      dependency?: string;
      retryAfterS?: number;
      detail?: string;
    };

export type ServerFrame = LogFrame | ControlFrame;

/** Close codes of the agent socket (the broker's `socket-protocol.ts`). */
export const CLOSE_CODES = {
  goingAway: 1001,
  messageTooBig: 1009,
  tryAgainLater: 1013,
  badMessage: 4000,
  tokenExpired: 4001,
  heartbeatTimeout: 4002,
  slowConsumer: 4008,
  tooManyMessages: 4029,
  tooManySockets: 4030,
} as const;

/** Close codes after which reconnecting cannot help (a client bug or a bound the rep hit). */
export const FINAL_CLOSE_CODES: readonly number[] = [
  CLOSE_CODES.messageTooBig,
  CLOSE_CODES.badMessage,
  CLOSE_CODES.tooManyMessages,
  CLOSE_CODES.tooManySockets,
];

/** What an AgentClient emits, by event name. */
export interface AgentEvents {
  /** The socket is open: `resumed` when nothing was missed since the last connection. */
  connected: { connectionId: string; resumed: boolean };
  /** The socket closed; `reconnecting` says whether the client will open it again. */
  disconnected: { code: number; reason: string; reconnecting: boolean };
  /** A new offer, with its deadline. */
  offer: { seq: number; offer: Offer };
  /** Another rep invites him (or a team of his) into a session: `answerInvitation` accepts or declines. */
  invitation: { seq: number; invitation: RepInvitation };
  /** An event of one of the rep's sessions (chat, permission answers, participants, state...). */
  session: { seq: number; sessionId: string; event: SessionEvent };
  /** A change of the rep's own presence: state (also when a supervisor or a missed offer changed it), teams, capacity. */
  presence: { seq: number; event: PresenceEvent };
  /**
   * What the rep missed could not be replayed (another replica, or too far behind): here is the
   * current state read over HTTP instead. Replace what you show with it.
   */
  resync: { reason: string; sessions: SessionView[] };
  /** A failure the client recovers from itself (reported for logging). */
  error: { error: unknown };
}
