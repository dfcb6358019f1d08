import { AgentApiError, type Problem } from "./agent-api-error.js";
import { FINAL_CLOSE_CODES, type AgentEvents, type LogFrame, type ServerFrame, type SessionEvent } from "./events.js";
import type { Invitation, QueueView, RepView, SessionKey, SessionView, SessionWithPosition } from "./views.js";

/** Where the token comes from: a fixed string, or a callback asked again whenever one is refused or expires. */
export type TokenSource = string | (() => string | Promise<string>);

/** The smallest WebSocket the client needs (the browser's and Node's global `WebSocket` fit). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "error", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { data: unknown }) => void): void;
  addEventListener(type: "close", listener: (event: { code: number; reason: string }) => void): void;
}

export type WebSocketFactory = (url: string, protocols: string[]) => WebSocketLike;

export interface AgentClientOptions {
  /** The broker's base URL, e.g. `https://handoff.example.com` (any replica; a load balancer in front is fine). */
  baseUrl: string;
  token: TokenSource;
  /** @default the global `WebSocket` */
  webSocket?: WebSocketFactory;
  /** @default the global `fetch` */
  fetch?: typeof fetch;
  /** First reconnect delay; doubles per failed attempt, with jitter. @default 250 */
  reconnectMinMs?: number;
  /** @default 15_000 */
  reconnectMaxMs?: number;
  /**
   * How often the client pings when the server did not say (`hello.heartbeatMs`); the socket is
   * reopened when nothing arrives for two intervals. @default 10_000
   */
  heartbeatMs?: number;
}

type Listener<K extends keyof AgentEvents> = (event: AgentEvents[K]) => void;

const SOCKET_PROTOCOL = "handoff.v1";
const OPEN = 1;
const FOLLOW_INTERVAL_MS = 100;
/** Sessions (and offers) whose last sequence the client keeps, oldest forgotten first. */
const MAX_REMEMBERED = 1_000;

/** Sets `key` as the newest entry of `map`, forgetting the oldest beyond MAX_REMEMBERED. */
function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
}

/**
 * A rep's client of the agent API: typed commands over HTTP and typed live events over one WebSocket,
 * reopened with backoff after any break and resumed by sequence, so every offer and session event is
 * seen once and in order (or, when the broker cannot replay, a `resync` with the current state).
 */
export class AgentClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private readonly openSocket: WebSocketFactory;
  private readonly minMs: number;
  private readonly maxMs: number;
  private heartbeatMs: number;
  private readonly listeners = new Map<keyof AgentEvents, Set<(event: never) => void>>();
  private token?: string;
  private socket?: WebSocketLike;
  private logId?: string;
  private seq = 0;
  private attempt = 0;
  private stopped = true;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private pingTimer?: ReturnType<typeof setInterval>;
  private lastFrameAt = 0;
  private currentConnectionId?: string;
  private repId?: string;
  /**
   * Per session the rep works or is offered: the last event sequence delivered (or, before the first,
   * the session's last sequence when he accepted it), and whether he still follows it.
   */
  private readonly sessions = new Map<string, { last: number; delivered: boolean; open: boolean }>();
  /** Per session: the epoch of the last offer delivered (a replayed offer is not an offer again). */
  private readonly offers = new Map<string, number>();
  /** Sessions to follow (again), sent paced under the socket's message limit, also after a reconnect. */
  private readonly followQueue = new Set<string>();
  private followTimer?: ReturnType<typeof setTimeout>;
  private connectedOnce?: { resolve: () => void; reject: (error: Error) => void };

  constructor(private readonly options: AgentClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
    this.openSocket = options.webSocket ?? ((url, protocols) => new WebSocket(url, protocols));
    this.minMs = options.reconnectMinMs ?? 250;
    this.maxMs = options.reconnectMaxMs ?? 15_000;
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
  }

  /** The id of the open socket's desktop connection (what `login` registers with presence). */
  get connectionId(): string | undefined {
    return this.currentConnectionId;
  }

  /** The last sequence of the rep's log this client delivered. */
  get lastSeq(): number {
    return this.seq;
  }

  on<K extends keyof AgentEvents>(type: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
    return () => set.delete(listener);
  }

  /** Opens the live socket; resolves once it is open (and keeps it open until `close`). */
  connect(): Promise<void> {
    this.stopped = false;
    return new Promise<void>((resolve, reject) => {
      this.connectedOnce = { resolve, reject };
      void this.open();
    });
  }

  /** Closes the socket for good. */
  close(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.followTimer);
    this.socket?.close(1000, "client closed");
    this.socket = undefined;
  }

  // Commands (HTTP). Each resolves with the API's answer or rejects with an AgentApiError.

  /** Logs the rep in to `teamIds` from this desktop (the open socket's connection). */
  async login(teamIds: string[]): Promise<RepView> {
    const connectionId = this.currentConnectionId;
    if (!connectionId) throw new Error("connect() first: login names the socket's connection");
    return (await this.call<{ rep: RepView }>("POST", "/v1/me/login", { teamIds, connectionId })).rep;
  }

  logout = (): Promise<void> => this.call("POST", "/v1/me/logout", {});

  async setState(state: "available" | "away" | "busy" | "offline", reason?: string): Promise<RepView> {
    return (await this.call<{ rep: RepView }>("PUT", "/v1/me/state", { state, reason })).rep;
  }

  /** Single-session mode, or multi-session mode with `sessions` at once. */
  async setCapacity(mode: "single" | "multi", sessions?: number): Promise<RepView> {
    return (await this.call<{ rep: RepView }>("PUT", "/v1/me/capacity", { mode, sessions })).rep;
  }

  async me(): Promise<RepView> {
    return (await this.call<{ rep: RepView }>("GET", "/v1/me")).rep;
  }

  /** The sessions offered to the rep and those he takes part in. */
  async listSessions(): Promise<SessionView[]> {
    return (await this.call<{ sessions: SessionView[] }>("GET", "/v1/me/sessions")).sessions;
  }

  /** The waiting sessions of the rep's queues (position, waiting time, EWT). */
  async listQueues(): Promise<QueueView[]> {
    return (await this.call<{ queues: QueueView[] }>("GET", "/v1/me/queues")).queues;
  }

  /** Accepts an offer; the socket then follows the session's events. */
  async acceptOffer(sessionId: string, epoch: number): Promise<SessionView> {
    const answer = await this.call<{ session?: SessionView } & SessionView>("POST", this.session(sessionId, "accept"), {
      epoch,
    });
    const session = answer.session ?? answer;
    this.track(session);
    return session;
  }

  rejectOffer = (sessionId: string, epoch: number): Promise<unknown> =>
    this.call("POST", this.session(sessionId, "reject"), { epoch });

  /** Pulls the next waiting session of the rep's queues and accepts it (null when none waits). */
  async takeNextSession(): Promise<SessionView | null> {
    const { session } = await this.call<{ session: SessionView | null }>("POST", "/v1/me/next-session", {});
    if (session) this.track(session);
    return session;
  }

  /** A session of the rep's site, with its place in the queue while it waits. */
  getSession = (sessionId: string): Promise<SessionWithPosition> => this.call("GET", this.session(sessionId));

  sendChat = (sessionId: string, text: string): Promise<unknown> =>
    this.call("POST", this.session(sessionId, "messages"), { text });

  addNote = (sessionId: string, text: string): Promise<unknown> =>
    this.call("POST", this.session(sessionId, "notes"), { text });

  requestPermission = (
    sessionId: string,
    permission: "view" | "control" | "file_transfer" | "elevation",
    application?: string,
  ): Promise<unknown> => this.call("POST", this.session(sessionId, "permission-requests"), { permission, application });

  /** Allows or denies the customer's request to send a file (a `fileSendRequested` event). */
  answerFileSend = (sessionId: string, requestId: string, allowed: boolean): Promise<unknown> =>
    this.call("POST", `${this.session(sessionId, "file-send-requests")}/${encodeURIComponent(requestId)}/answer`, {
      allowed,
    });

  transfer = (sessionId: string, target: { teamId: string } | { repId: string }): Promise<unknown> =>
    this.call("POST", this.session(sessionId, "transfer"), { target });

  leave = (sessionId: string): Promise<unknown> => this.call("POST", this.session(sessionId, "leave"), {});

  end = (sessionId: string, reason?: "resolved" | "ended_by_rep"): Promise<unknown> =>
    this.call("POST", this.session(sessionId, "end"), { reason });

  /** Invites a rep (or any rep of a team) into the session; he answers with `answerInvitation`. */
  async inviteRep(sessionId: string, invitee: { teamId: string } | { repId: string }): Promise<string> {
    const { invitationId } = await this.call<{ invitationId: string }>("POST", this.session(sessionId, "invitations"), {
      invitee,
    });
    return invitationId;
  }

  /** Accepts or declines an invitation into a session; an accepted one is followed on the socket. */
  async answerInvitation(sessionId: string, invitationId: string, accepted: boolean): Promise<SessionView> {
    const path = `${this.session(sessionId, "invitations")}/${encodeURIComponent(invitationId)}/answer`;
    const { session } = await this.call<{ session: SessionView }>("POST", path, { accepted });
    if (accepted) this.track(session);
    return session;
  }

  /** Hands control of the session to another rep in it. */
  async handOverControl(sessionId: string, toRepId: string): Promise<SessionView> {
    return (await this.call<{ session: SessionView }>("POST", this.session(sessionId, "control"), { toRepId })).session;
  }

  nudge = (sessionId: string): Promise<void> => this.call("POST", this.session(sessionId, "nudge"), {});

  /** The rep's own survey of a session: a resolution code and a comment. */
  submitRepSurvey = (sessionId: string, resolutionCode: string, comment?: string): Promise<void> =>
    this.call("POST", this.session(sessionId, "rep-survey"), { resolutionCode, comment });

  /** A session key for a customer to type: to the rep himself, or to `target`'s queue. */
  createSessionKey = (
    options: { target?: { teamId: string } | { repId: string }; ttlMs?: number } = {},
  ): Promise<SessionKey> => this.call("POST", "/v1/session-keys", options);

  /** An invitation link for a customer (by e-mail, or handed over by chat or phone). */
  createInvitation = (options: {
    channel: "email" | "chat" | "phone";
    customerAddress?: string;
    customerName?: string;
    ttlMs?: number;
  }): Promise<Invitation> => this.call("POST", "/v1/invitations", options);

  /**
   * Follows a session on the socket that the rep joined without an offer (e.g. an invitation), or
   * again from the last event delivered (after a move to another replica, or a gap).
   */
  follow(sessionId: string): void {
    this.followQueue.delete(sessionId);
    this.followQueue.add(sessionId);
    if (this.followQueue.size > MAX_REMEMBERED) this.followQueue.delete(this.followQueue.values().next().value!);
    this.sendFollows();
  }

  private session(sessionId: string, action?: string): string {
    return `/v1/sessions/${encodeURIComponent(sessionId)}${action ? `/${action}` : ""}`;
  }

  private async currentToken(refresh = false): Promise<string> {
    if (this.token !== undefined && !refresh) return this.token;
    const source = this.options.token;
    this.token = typeof source === "string" ? source : await source();
    return this.token;
  }

  private async call<T>(method: "GET" | "POST" | "PUT", path: string, body?: unknown): Promise<T> {
    let response = await this.request(method, path, body, await this.currentToken());
    if (response.status === 401 && typeof this.options.token === "function")
      response = await this.request(method, path, body, await this.currentToken(true));
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new AgentApiError({ status: response.status, ...(parsed as Partial<Problem>) });
    return parsed as T;
  }

  private request(method: string, path: string, body: unknown, token: string): Promise<Response> {
    return this.fetchFn(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  // The live socket.

  private emit<K extends keyof AgentEvents>(type: K, event: AgentEvents[K]): void {
    for (const listener of this.listeners.get(type) ?? []) {
      try {
        (listener as Listener<K>)(event);
      } catch (error) {
        if (type !== "error") this.emit("error", { error });
      }
    }
  }

  private async open(): Promise<void> {
    if (this.stopped) return;
    let token: string;
    try {
      // A reconnect asks the source again: the last token may be what the broker refused.
      token = await this.currentToken(this.attempt > 0);
    } catch (error) {
      this.emit("error", { error });
      return this.scheduleReconnect();
    }
    const url = new URL(`${this.baseUrl.replace(/^http/, "ws")}/v1/socket`);
    if (this.logId) url.searchParams.set("resume", `${this.logId}:${this.seq}`);
    const socket = this.openSocket(url.toString(), [SOCKET_PROTOCOL, `bearer.${token}`]);
    this.socket = socket;
    let resumed = this.logId !== undefined;
    socket.addEventListener("message", (event) => {
      if (this.socket !== socket) return;
      this.lastFrameAt = Date.now();
      let frame: ServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as ServerFrame;
      } catch (error) {
        return this.emit("error", { error });
      }
      if (frame.type === "hello") {
        this.attempt = 0;
        this.currentConnectionId = frame.connectionId;
        this.repId = frame.repId;
        this.heartbeatMs = frame.heartbeatMs;
        this.startPinging(socket);
        if (frame.logId !== this.logId) {
          // A first connection starts at the log's end; a resume into another log gets a resync next.
          if (this.logId === undefined) this.seq = frame.seq;
          else resumed = false;
          if (this.logId === undefined) this.logId = frame.logId;
        }
        this.emit("connected", { connectionId: frame.connectionId, resumed });
        this.connectedOnce?.resolve();
        this.connectedOnce = undefined;
        this.sendFollows(); // what was asked while the socket was down
        return;
      }
      if (frame.type === "resync") {
        this.logId = frame.logId;
        this.seq = frame.seq;
        // This log has not carried the rep's sessions: each one is read again from its last event seen.
        for (const [sessionId, session] of this.sessions) if (session.open) this.follow(sessionId);
        void this.listSessions().then(
          (sessions) => this.emit("resync", { reason: frame.reason, sessions }),
          (error: unknown) => this.emit("error", { error }),
        );
        return;
      }
      if (frame.type === "pong") return;
      if (frame.type === "error")
        return this.emit("error", { error: new Error(`socket: ${frame.detail ?? frame.reason}`, { cause: frame }) });
      this.deliver(frame);
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.currentConnectionId = undefined;
      clearInterval(this.pingTimer);
      clearTimeout(this.followTimer);
      this.followTimer = undefined;
      const reconnecting = !this.stopped && !FINAL_CLOSE_CODES.includes(event.code);
      this.emit("disconnected", { code: event.code, reason: event.reason, reconnecting });
      if (!reconnecting) {
        this.stopped = true;
        this.connectedOnce?.reject(new Error(`socket closed: ${event.code} ${event.reason}`));
        this.connectedOnce = undefined;
        return;
      }
      this.scheduleReconnect();
    });
    socket.addEventListener("error", () => undefined);
  }

  private deliver(frame: LogFrame): void {
    // Replays after a resume may overlap what was delivered: a sequence is handed out once.
    if (frame.seq <= this.seq) return;
    this.seq = frame.seq;
    if (frame.type === "offer") {
      if (this.offers.get(frame.offer.sessionId) === frame.offer.epoch) return;
      remember(this.offers, frame.offer.sessionId, frame.offer.epoch);
      this.emit("offer", { seq: frame.seq, offer: frame.offer });
    } else if (frame.type === "invitation") {
      this.emit("invitation", { seq: frame.seq, invitation: frame.invitation });
    } else if (frame.type === "session") {
      if (!this.inOrder(frame.sessionId, frame.event)) return;
      this.emit("session", { seq: frame.seq, sessionId: frame.sessionId, event: frame.event });
    } else this.emit("presence", { seq: frame.seq, event: frame.event });
  }

  /**
   * Whether a session event is the next one of its session. One seen already (a replay after a move
   * to another replica) is dropped; one after a gap is dropped too and the session is followed again
   * from the last event delivered, which replays the gap in order.
   */
  private inOrder(sessionId: string, event: SessionEvent): boolean {
    const known = this.sessions.get(sessionId);
    if (known?.delivered && event.sequence <= known.last) return false;
    if (known?.delivered && event.sequence > known.last + 1) {
      if (!this.followQueue.has(sessionId)) this.follow(sessionId);
      return false;
    }
    const mine = (repId?: string) => repId !== undefined && repId === this.repId;
    const over = mine(event.participantLeft?.repId) || mine(event.sessionOfferLapsed?.repId);
    const open = !over && (known?.open ?? true);
    remember(this.sessions, sessionId, { last: event.sequence, delivered: true, open });
    return true;
  }

  /**
   * A session the rep just took (accept, take next, an invitation): followed from the state the
   * answer showed, so a move to another replica before its first event still replays what came after.
   */
  private track(session: SessionView): void {
    if (!this.sessions.has(session.sessionId))
      remember(this.sessions, session.sessionId, { last: session.lastSequence, delivered: false, open: true });
    this.follow(session.sessionId);
  }

  /** Sends queued follow frames at most 10 a second, inside the socket's message limit with pings. */
  private sendFollows(): void {
    if (this.followTimer || this.socket?.readyState !== OPEN) return;
    const sessionId = this.followQueue.values().next().value;
    if (sessionId === undefined) return;
    this.followQueue.delete(sessionId);
    const afterSequence = this.sessions.get(sessionId)?.last;
    this.socket.send(JSON.stringify({ type: "follow", sessionId, afterSequence }));
    this.followTimer = setTimeout(() => {
      this.followTimer = undefined;
      this.sendFollows();
    }, FOLLOW_INTERVAL_MS);
  }

  private startPinging(socket: WebSocketLike): void {
    clearInterval(this.pingTimer);
    this.lastFrameAt = Date.now();
    this.pingTimer = setInterval(() => {
      if (Date.now() - this.lastFrameAt > 2 * this.heartbeatMs) {
        socket.close(4002, "no answer from the server");
        return;
      }
      if (socket.readyState === OPEN) socket.send(JSON.stringify({ type: "ping" }));
    }, this.heartbeatMs);
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const ceiling = Math.min(this.maxMs, this.minMs * 2 ** this.attempt);
    this.attempt++;
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.open(), delay);
  }
}
