/**
 * The agent socket's wire format (`/v1/socket`), shared in spirit with packages/agent-sdk (which
 * declares the same shapes; a service never exports code to a package).
 *
 * Server → client frames are JSON objects. Frames of the rep's log carry `seq` (per rep, per log):
 * `offer` and `session`. Control frames carry no `seq`: `hello`, `resync`, `pong`, `error`
 * (see failureFrame).
 * Client → server frames: `{"type":"ping"}` and `{"type":"follow","sessionId":"...","afterSequence"?:n}`
 * (`afterSequence`: the session's last event the client saw, so a client that moved here from another
 * replica gets the events in between).
 */

import { DEPENDENCY_UNAVAILABLE, dependencyFailureOf, dependencyUnavailableText } from "@handoff/runtime";
import { BrokerDomainError } from "../domain/errors";

export const SOCKET_PATH = "/v1/socket";
/** The subprotocol a client must offer; browsers put the token beside it as `bearer.<jwt>`. */
export const SOCKET_PROTOCOL = "handoff.v1";
export const BEARER_PROTOCOL_PREFIX = "bearer.";

/** Close codes the broker uses (4000-4999 are the application's; 1009 comes from `ws`'s maxPayload). */
export const CLOSE_CODES = {
  /** The server shuts down: reconnect (to another replica) and resume. */
  goingAway: 1001,
  /** This replica cannot take the rep now (its bound of watched reps): reconnect, maybe elsewhere. */
  tryAgainLater: 1013,
  /** A frame larger than `maxMessageBytes`. */
  messageTooBig: 1009,
  /** A frame that is not a known JSON message. */
  badMessage: 4000,
  /** The token expired while the socket was open: refresh it and reconnect with resume. */
  tokenExpired: 4001,
  /** The client was not heard from (no pong, no frame) for two heartbeat intervals. */
  heartbeatTimeout: 4002,
  /** The client did not read: its send buffer went over `maxBufferedBytes`. */
  slowConsumer: 4008,
  /** More than `maxMessagesPerSecond` frames from the client. */
  tooManyMessages: 4029,
  /** The rep has `maxSocketsPerRep` sockets open on this replica already. */
  tooManySockets: 4030,
} as const;

export interface SocketLimits {
  /** Largest frame the client may send (ws closes with 1009 above it). @default 16_384 */
  maxMessageBytes: number;
  /** Frames per second one socket may send. @default 20 */
  maxMessagesPerSecond: number;
  /** Sockets of one rep on one replica. @default 5 */
  maxSocketsPerRep: number;
  /** Bytes queued to one socket before it counts as a slow consumer and is closed. @default 1_048_576 */
  maxBufferedBytes: number;
  /** Messages of a rep's log kept for resume. @default 500 */
  resumeBuffer: number;
  /** Characters of a rep's log kept for resume, whatever the count. @default 262_144 */
  resumeBufferBytes: number;
  /** How long a rep's log outlives his last socket on this replica (so a reconnect resumes). @default 120_000 */
  retainMs: number;
  /** Ping interval; a socket not heard from for two intervals is closed. Each pong is a presence heartbeat. @default 10_000 */
  heartbeatMs: number;
  /**
   * How long after a socket closes presence hears its Disconnect: a desktop that reconnects within it
   * (as a new connection) never leaves the rep without a live connection, so his offers stay his.
   * @default 5_000
   */
  disconnectGraceMs: number;
}

export const DEFAULT_SOCKET_LIMITS: SocketLimits = {
  maxMessageBytes: 16_384,
  maxMessagesPerSecond: 20,
  maxSocketsPerRep: 5,
  maxBufferedBytes: 1_048_576,
  resumeBuffer: 500,
  resumeBufferBytes: 262_144,
  retainMs: 120_000,
  heartbeatMs: 10_000,
  disconnectGraceMs: 5_000,
};

/** Why a resume could not replay: the log is another replica's (or retired), or too far behind. */
export type ResyncReason = "UNKNOWN_LOG" | "TOO_FAR_BEHIND" | "AHEAD_OF_LOG";

/**
 * The error frame of a follow that failed or of a session feed that ended with an error. A dependency
 * out of reach is classified as the agent API's HTTP 503 problem is (`DEPENDENCY_UNAVAILABLE`,
 * `dependency`, `retryAfterS`, `detail`): the client follows again after `retryAfterS`. A broker rule
 * (e.g. LIMIT_REACHED of live feeds) keeps its reason; anything else is `INTERNAL`, its text kept in the
 * log, never sent.
 */
export function failureFrame(sessionId: string, error: unknown): string {
  if (error instanceof BrokerDomainError)
    return JSON.stringify({ type: "error", reason: error.reason, sessionId, detail: error.message });
  const failure = dependencyFailureOf(error);
  if (!failure) return JSON.stringify({ type: "error", reason: "INTERNAL", sessionId });
  return JSON.stringify({
    type: "error",
    reason: DEPENDENCY_UNAVAILABLE,
    sessionId,
    dependency: failure.dependency,
    retryAfterS: failure.retryAfterS,
    detail: dependencyUnavailableText(failure),
  });
}
