// The answers of the agent API's commands, as its OpenAPI document (`/v1/openapi.json`) declares them.

export type QueueTargetView = { kind: "team" | "rep"; id: string };

/** 1-based place in its queue and the wait estimate (P50/P90; `known` false before enough history). */
export interface QueuePosition {
  position: number;
  queueLength: number;
  estimate: { known: boolean; p50Ms: number; p90Ms: number };
}

/** A session as the agent API shows it (`GET /v1/sessions/{id}`, `GET /v1/me/sessions`). */
export interface SessionView {
  sessionId: string;
  state: "created" | "waiting" | "offered" | "active" | "ended" | "abandoned";
  startMethod: "rep_list" | "issue_submission" | "session_key" | "invitation_link";
  /** Chat in the browser only, or the full client (screen sharing, files); null for old sessions. */
  clientMode: "click_to_chat" | "full_client" | null;
  /** The queue it waits in, or was answered from. */
  target: QueueTargetView | null;
  problemTypeId: string;
  priority: number;
  customer: {
    name: string;
    company: string;
    email: string;
    description: string;
    locale: string;
    companyCode: string;
    /** Fields the host site vouched for with a signed identity token: show them as verified. */
    verifiedFields: string[];
  };
  /** The primary rep while active; the offered rep while offered. */
  repId: string | null;
  epoch: number;
  offerExpiresAtMs: number | null;
  participants: { repId: string; primary: boolean; joinedAtMs: number; disconnected: boolean }[];
  granted: {
    permission: "view" | "control" | "file_transfer" | "elevation";
    application: string;
    grantedAtMs: number;
  }[];
  createdAtMs: number;
  enqueuedAtMs: number;
  endedAtMs: number | null;
  endReason: string | null;
  lastSequence: number;
}

/** `getSession`: the session, and its place in the queue while it waits. */
export interface SessionWithPosition {
  session: SessionView;
  position: QueuePosition | null;
}

/** The waiting sessions of one of the rep's queues (`listQueues`). */
export interface QueueView {
  target: QueueTargetView;
  waiting: {
    sessionId: string;
    target: QueueTargetView;
    problemTypeId: string;
    priority: number;
    customerName: string;
    enqueuedAtMs: number;
    waitingMs: number;
    /** null when the acd did not answer for it. */
    position: QueuePosition | null;
  }[];
  /** More sessions wait than the answer holds. */
  truncated: boolean;
}

/** A rep as presence holds him (`me`, and the answers of login, state and capacity). */
export interface RepView {
  repId: string;
  state: "available" | "away" | "busy" | "offline" | "unknown";
  reason: string;
  teamIds: string[];
  capacity: number;
  skills: string[];
  liveConnections: number;
  /** Offered plus active sessions. */
  load: number;
  stateSinceMs: number;
}

/** A session key to read to a customer (`displayKey`) and until when it works. */
export interface SessionKey {
  sessionKey: string;
  displayKey: string;
  expiresAtMs: number;
}

/** An invitation link for a customer: send `url`; `token` is what the link carries. */
export interface Invitation {
  invitationId: string;
  token: string;
  url: string;
  expiresAtMs: number;
}
