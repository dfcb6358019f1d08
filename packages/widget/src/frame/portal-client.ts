// The one module that speaks intake's public portal API (services/intake/README.md, "Public portal
// API"): its types, its paths and its error bodies. The frame is served from intake's origin, so every
// call is same-origin (connect-src 'self'). A change of the contract is an edit here.
import { SseParser } from "./sse-parser";

export type StartMethod = "rep_list" | "issue" | "session_key" | "invitation_link";
export type Permission = "view" | "control" | "file_transfer" | "elevation";

export interface Notice {
  id: string;
  text: string;
  /** Sent by a supervisor to everyone waiting (stream notices only). */
  pushed?: boolean;
}

export interface PortalView {
  siteId: string;
  open: boolean;
  /** ISO 8601 instants; null when not within a year. */
  opensAt: string | null;
  closesAt: string | null;
  startMethods: { repList: boolean; issue: boolean; sessionKey: boolean; invitationLink: boolean; modes: string[] };
  problemTypes: { id: string; label: string }[];
  reps: { repId: string; displayName: string }[];
  notices: Notice[];
  /** Null: the site asks for no agreement (the customer still accepts, with an empty version). */
  agreement: { text: string; version: string } | null;
  recordingPrompt: string | null;
  fallbackUrl: string | null;
  /** Keep my place, when the site offers it (absent from a portal of before it). */
  keepPlace?: { callAtPosition: number; returnWithinSeconds: number } | null;
}

export interface Estimate {
  p50Ms: number;
  p90Ms: number;
  known: boolean;
}

export interface QueuePosition {
  /** 1-based; 0 when not waiting. */
  position: number;
  queueLength: number;
  estimate: Estimate;
}

export interface Grant {
  permission: Permission;
  /** Empty for the whole desktop. */
  application: string;
}

export interface CustomerFields {
  name?: string;
  company?: string;
  companyCode?: string;
  email?: string;
  description?: string;
  locale?: string;
}

export interface StartSession {
  method: StartMethod;
  repId?: string;
  problemTypeId?: string;
  sessionKey?: string;
  invitationToken?: string;
  customer: CustomerFields;
  identityToken?: string;
  consent: { agreementAccepted: true; agreementVersion: string; recordingAllowed: boolean };
}

export type SessionState = "created" | "waiting" | "offered" | "active" | "ended" | "abandoned";

export interface SessionStatus {
  sessionId: string;
  state: SessionState;
  /** The rep working on it (active) or offered it. */
  repId: string | null;
  position: QueuePosition;
  endReason: string | null;
  granted: Grant[];
  lastSequence: number;
  /** Keep my place: away from the page, and once called back by when he must be back. */
  keepPlace?: { away: boolean; returnBy: string | null };
}

export interface StartedSession extends SessionStatus {
  customerToken: string;
  noRepAvailable: boolean;
  fallbackUrl: string | null;
  closing: { waitEndsAfterClosing: boolean; closesAt: string | null };
  verifiedFields: string[];
}

/** The live stream's frames, by `event:` name (data as the README's table gives it). */
export type StreamEvent =
  | { type: "status"; data: SessionStatus & { displayName?: string } }
  | { type: "position"; data: QueuePosition }
  | { type: "greeting" | "hold"; data: { text: string } }
  | { type: "notice"; data: Notice }
  | { type: "waiting"; data: { reason: string; position: QueuePosition } }
  | { type: "offered"; data: { repId: string } }
  | { type: "accepted"; data: { repId: string; displayName?: string; waitedMs: number } }
  | { type: "chat"; data: { from: "customer" | "rep"; repId?: string; text: string; at: string | number } }
  | {
      type: "permission";
      data: {
        requestId: string;
        permission: Permission;
        application: string;
        change: "requested" | "granted" | "denied" | "revoked";
      };
    }
  | {
      type: "file";
      data:
        | { requestId: string; change: "requested"; fileName: string; sizeBytes: number }
        | { requestId: string; change: "allowed" | "denied" };
    }
  | { type: "nudge"; data: { repId: string } }
  | { type: "participant"; data: { repId: string; displayName?: string; joined: boolean; reason?: string } }
  | { type: "end"; data: { reason: string; abandonReason: string | null; survey: boolean } }
  | { type: "away"; data: { away: boolean } }
  | { type: "callback"; data: { returnBy: string } };

const STREAM_EVENTS = new Set<string>([
  "status",
  "position",
  "greeting",
  "hold",
  "notice",
  "waiting",
  "offered",
  "accepted",
  "chat",
  "permission",
  "file",
  "nudge",
  "participant",
  "end",
  "away",
  "callback",
]);

/** A refused call: the problem body's status, `reason` and field errors (field → problem). */
export class PortalError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly fields: Record<string, string>,
    readonly opensAt?: string,
  ) {
    super(`portal call failed: ${status} ${reason}`);
  }
}

interface ProblemBody {
  reason?: string;
  field?: string;
  errors?: { field: string; problem: string }[];
  opensAt?: string;
}

async function call<T>(path: string, init: RequestInit & { token?: string; idempotencyKey?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (init.body) headers["content-type"] = "application/json";
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.idempotencyKey) headers["idempotency-key"] = init.idempotencyKey;
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers });
  } catch {
    throw new PortalError(0, "NETWORK", {});
  }
  if (response.ok) return (response.status === 204 ? undefined : await response.json()) as T;
  const problem = (await response.json().catch(() => ({}))) as ProblemBody;
  const fields = Object.fromEntries((problem.errors ?? []).map((error) => [error.field, error.problem]));
  throw new PortalError(response.status, problem.reason ?? String(response.status), fields, problem.opensAt);
}

const json = (body: unknown): string => JSON.stringify(body);

/** Reconnects after a dropped stream wait this long, doubling to the cap. */
const RECONNECT_MS = { first: 1_000, max: 15_000 };

/** One customer's session: every call carries its bearer token. */
export class SessionClient {
  private readonly path: string;

  constructor(
    siteId: string,
    readonly sessionId: string,
    private readonly token: string,
  ) {
    this.path = `/v1/sites/${encodeURIComponent(siteId)}/sessions/${encodeURIComponent(sessionId)}`;
  }

  status(): Promise<SessionStatus> {
    return call(this.path, { token: this.token });
  }

  chat(text: string): Promise<{ sequence: number }> {
    return call(`${this.path}/messages`, { method: "POST", token: this.token, body: json({ text }) });
  }

  answerPermission(requestId: string, granted: boolean): Promise<{ granted: Grant[] }> {
    return call(`${this.path}/permission-requests/${encodeURIComponent(requestId)}`, {
      method: "POST",
      token: this.token,
      body: json({ granted }),
    });
  }

  /** Asks the rep to accept a file; his answer comes on the stream (`file`). */
  requestFileSend(fileName: string, sizeBytes: number): Promise<{ requestId: string }> {
    return call(`${this.path}/file-send-requests`, {
      method: "POST",
      token: this.token,
      body: json({ fileName, sizeBytes }),
    });
  }

  /** Revokes one grant, or every one ("stop sharing"). */
  revoke(permission: Permission | "all", application = ""): Promise<{ granted: Grant[] }> {
    return call(`${this.path}/permissions/revoke`, {
      method: "POST",
      token: this.token,
      body: json({ permission, application }),
    });
  }

  /** Leaves the queue or ends the session; `fromNotice` when he left from a notice (then no survey). */
  end(fromNotice = false): Promise<SessionStatus> {
    return call(`${this.path}/end`, {
      method: "POST",
      token: this.token,
      body: json({ reason: fromNotice ? "notice" : "left" }),
    });
  }

  /** Keep my place (away) or back. */
  setAway(away: boolean): Promise<SessionStatus> {
    return call(`${this.path}/away`, { method: "POST", token: this.token, body: json({ away }) });
  }

  survey(satisfaction: number, comment: string): Promise<void> {
    return call(`${this.path}/survey`, {
      method: "POST",
      token: this.token,
      body: json(comment ? { satisfaction, comment } : { satisfaction }),
    });
  }

  /**
   * Follows the live stream until its `end` frame or `stop()`: reconnects after a drop with
   * Last-Event-ID, so nothing is missed or repeated. Returns `stop`.
   */
  follow(onEvent: (event: StreamEvent) => void, onConnection: (connected: boolean) => void): () => void {
    const abort = new AbortController();
    let lastId: string | null = null;
    let ended = false;
    const run = async () => {
      let delay = RECONNECT_MS.first;
      while (!ended && !abort.signal.aborted) {
        try {
          const headers: Record<string, string> = {
            accept: "text/event-stream",
            authorization: `Bearer ${this.token}`,
          };
          if (lastId) headers["last-event-id"] = lastId;
          const response = await fetch(`${this.path}/events`, { headers, signal: abort.signal });
          if (response.status === 401 || response.status === 404) {
            onEvent({ type: "end", data: { reason: "unknown", abandonReason: null, survey: false } });
            return;
          }
          if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
          onConnection(true);
          delay = RECONNECT_MS.first;
          const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
          const parser = new SseParser((frame) => {
            if (frame.id) lastId = frame.id;
            if (!STREAM_EVENTS.has(frame.event)) return;
            const event = { type: frame.event, data: JSON.parse(frame.data) as unknown } as StreamEvent;
            if (event.type === "end") ended = true;
            onEvent(event);
          });
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            parser.push(value);
          }
        } catch {
          if (abort.signal.aborted) return;
        }
        if (ended) return;
        onConnection(false);
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay = Math.min(delay * 2, RECONNECT_MS.max);
      }
    };
    void run();
    return () => abort.abort();
  }
}

/** A start's retries after a lost answer, and the wait before each. */
const START_RETRY_DELAYS_MS = [500, 1_000, 2_000];

/** A start's Idempotency-Key: 128 random bits in hex (what intake accepts: 16-64 of [A-Za-z0-9_-]). */
function newStartKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The site's portal: what it offers, and starting a session. */
export class PortalClient {
  private readonly path: string;

  constructor(readonly siteId: string) {
    this.path = `/v1/sites/${encodeURIComponent(siteId)}`;
  }

  portal(): Promise<PortalView> {
    return call(`${this.path}/portal`);
  }

  /**
   * Starts a session. An answer lost on the way (network, 502-504: a replica went away) is asked again
   * with the same Idempotency-Key, which intake answers with the session the first attempt started.
   */
  async start(request: StartSession): Promise<StartedSession> {
    const idempotencyKey = newStartKey();
    for (let attempt = 0; ; attempt++) {
      try {
        return await call(`${this.path}/sessions`, { method: "POST", body: json(request), idempotencyKey });
      } catch (error) {
        const lost = error instanceof PortalError && (error.status === 0 || error.status >= 502);
        const delayMs = START_RETRY_DELAYS_MS[attempt];
        if (!lost || delayMs === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /** A resume link's one-time token for a new customer token. */
  resume(sessionId: string, resumeToken: string): Promise<SessionStatus & { customerToken: string }> {
    return call(`${this.path}/sessions/${encodeURIComponent(sessionId)}/resume`, {
      method: "POST",
      body: json({ resumeToken }),
    });
  }

  session(sessionId: string, customerToken: string): SessionClient {
    return new SessionClient(this.siteId, sessionId, customerToken);
  }
}
