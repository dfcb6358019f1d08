import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { HttpProblem } from "@handoff/runtime";
import type { Express, Request } from "express";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { PresenceEvent } from "@handoff/proto/events";
import type { RepInvitationNotice } from "../store/session-events";
import type { ConnectionPresence } from "./connection-presence";
import { RepChannel, type ChannelSubscriber, type RepChannelDeps } from "./rep-channel";
import {
  BEARER_PROTOCOL_PREFIX,
  CLOSE_CODES,
  DEFAULT_SOCKET_LIMITS,
  failureFrame,
  SOCKET_PATH,
  SOCKET_PROTOCOL,
  type SocketLimits,
} from "./socket-protocol";

/** Who a verified token speaks for (the agent API's principal, structurally). */
export interface SocketPrincipal {
  siteId: string;
  repId: string;
}

/** The agent API's token verifier (src/auth): rejects with an error carrying `status` (401 or 503). */
export interface SocketTokenVerifier {
  verify(token: string): Promise<SocketPrincipal>;
}

export interface AgentSocketOptions {
  verifier: SocketTokenVerifier;
  presence: ConnectionPresence;
  /** The members of a team (the acd's routing config), for invitations to a team. */
  teamMembers(siteId: string, teamId: string): Promise<string[]>;
  limits?: Partial<SocketLimits>;
}

/** The mounted socket endpoint: its open sockets, and the shutdown that closes them. */
export interface AgentSocketServer {
  readonly sockets: number;
  /** Hands a presence event to the rep's sockets on this replica, if he has any. */
  repPresence(event: PresenceEvent): void;
  /** Tells the invitee (or the team's members but the inviter) with sockets on this replica. */
  repInvitation(notice: RepInvitationNotice): Promise<void>;
  close(): void;
}

const RESUME_PATTERN = /^([0-9a-f-]{36}):(\d{1,15})$/;
/** A close frame may wait behind unread data (a slow consumer) or go unanswered; the socket is cut after this. */
const CLOSE_GRACE_MS = 1_000;

/**
 * The token of an upgrade request: `Authorization: Bearer <jwt>` (Node clients), or the subprotocol
 * `bearer.<jwt>` offered beside `handoff.v1` (browsers cannot set headers on a WebSocket). Never a query
 * parameter: URLs end up in access logs.
 */
export function socketToken(req: IncomingMessage): string | undefined {
  const header = /^Bearer\s+(\S{1,8192})\s*$/i.exec(req.headers.authorization ?? "");
  if (header?.[1]) return header[1];
  const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
  const bearer = offered.find((p) => p.startsWith(BEARER_PROTOCOL_PREFIX) && p.length < 8192);
  return bearer?.slice(BEARER_PROTOCOL_PREFIX.length);
}

/** `exp` of a token that was verified already (ms), to close the socket when it runs out. */
function expiryMsOf(token: string): number | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as {
      exp?: unknown;
    };
    return typeof payload.exp === "number" ? payload.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

function resumeOf(req: Request): { logId: string; seq: number } | undefined {
  const raw = typeof req.query.resume === "string" ? req.query.resume : undefined;
  const match = raw ? RESUME_PATTERN.exec(raw) : null;
  return match ? { logId: match[1]!, seq: Number(match[2]) } : undefined;
}

/**
 * Mounts the rep's live socket at `/v1/socket` on the broker's HTTP app. Node hands an upgrade
 * request with no `upgrade` listener to the request handler, so the upgrade passes the app's per-IP
 * rate limit like any request; the token is checked before the handshake (401/503 problem bodies).
 */
export function mountAgentSocket(app: Express, deps: RepChannelDeps, options: AgentSocketOptions): AgentSocketServer {
  const limits: SocketLimits = { ...DEFAULT_SOCKET_LIMITS, ...options.limits };
  const channels = new Map<string, RepChannel>();
  /** Open sockets and how to shut each (a close frame, then the TCP connection cut after a grace). */
  const open = new Map<WebSocket, (code: number, reason: string) => void>();
  const pendingDisconnects = new Set<() => void>();
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxMessageBytes,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has(SOCKET_PROTOCOL) ? SOCKET_PROTOCOL : false),
  });
  const logger = deps.logger;

  const channelOf = (siteId: string, repId: string): RepChannel => {
    const key = `${siteId} ${repId}`;
    let channel = channels.get(key);
    if (!channel) {
      channel = new RepChannel(siteId, repId, deps, limits, (retired) => {
        if (channels.get(key) === retired) channels.delete(key);
      });
      channel.start();
      channels.set(key, channel);
    }
    return channel;
  };

  function serve(ws: WebSocket, principal: SocketPrincipal, token: string, resume?: { logId: string; seq: number }) {
    const { siteId, repId } = principal;
    let channel: RepChannel;
    try {
      channel = channelOf(siteId, repId);
    } catch (error) {
      // RepOfferFeed's bound of reps watched per site on one replica.
      logger.warn({ err: error, siteId, repId }, "socket: the rep's offers cannot be watched here");
      ws.close(CLOSE_CODES.tryAgainLater, "this replica serves too many reps of the site; reconnect");
      return;
    }
    if (channel.size >= limits.maxSocketsPerRep) {
      ws.close(CLOSE_CODES.tooManySockets, `at most ${limits.maxSocketsPerRep} sockets per rep`);
      return;
    }
    const connectionId = randomUUID();
    let closing = false;
    const shut = (code: number, reason: string) => {
      if (closing) return;
      closing = true;
      ws.close(code, reason);
      setTimeout(() => ws.terminate(), CLOSE_GRACE_MS).unref();
    };
    open.set(ws, shut);
    const send = (frame: string) => {
      if (closing || ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount + frame.length > limits.maxBufferedBytes) {
        logger.warn({ repId, connectionId, buffered: ws.bufferedAmount }, "socket: slow consumer closed");
        shut(CLOSE_CODES.slowConsumer, "slow consumer: send buffer full");
        return;
      }
      ws.send(frame);
    };
    const subscriber: ChannelSubscriber = { send };
    const heartbeat = () =>
      options.presence
        .heartbeat(siteId, repId, connectionId)
        .catch((error: unknown) => logger.debug({ err: error, repId, connectionId }, "socket: presence heartbeat"));

    send(
      JSON.stringify({
        type: "hello",
        connectionId,
        repId,
        logId: channel.logId,
        seq: channel.lastSeq,
        heartbeatMs: limits.heartbeatMs,
        limits: {
          maxMessageBytes: limits.maxMessageBytes,
          maxMessagesPerSecond: limits.maxMessagesPerSecond,
          maxSocketsPerRep: limits.maxSocketsPerRep,
        },
      }),
    );
    const resumed = channel.attach(subscriber, resume);
    if (resumed.resync)
      send(JSON.stringify({ type: "resync", reason: resumed.resync, logId: channel.logId, seq: channel.lastSeq }));
    else for (const frame of resumed.frames) send(frame);
    void heartbeat();

    // When the client was last heard (a pong or a frame). The check allows one missed pong (a client
    // that answers was heard about one interval ago, one that missed a pong about two): after an
    // event-loop stall this timer runs before the pongs waiting in the input are read, and a rule of
    // "no pong since the last ping" then cut every socket of the replica at once.
    let heardAt = Date.now();
    const pinger = setInterval(() => {
      if (Date.now() - heardAt > 2.5 * limits.heartbeatMs)
        return shut(CLOSE_CODES.heartbeatTimeout, "no pong within two heartbeat intervals");
      ws.ping();
    }, limits.heartbeatMs);
    ws.on("pong", () => {
      heardAt = Date.now();
      void heartbeat();
    });

    const expiresAt = expiryMsOf(token);
    const expiry =
      expiresAt === undefined
        ? undefined
        : setTimeout(
            () => shut(CLOSE_CODES.tokenExpired, "token expired: reconnect with a fresh token"),
            Math.max(0, Math.min(expiresAt - Date.now(), 2 ** 31 - 1)),
          );

    let windowStart = Date.now();
    let inWindow = 0;
    ws.on("message", (data: RawData, isBinary: boolean) => {
      const now = Date.now();
      if (now - windowStart >= 1_000) {
        windowStart = now;
        inWindow = 0;
      }
      if (++inWindow > limits.maxMessagesPerSecond)
        return shut(CLOSE_CODES.tooManyMessages, `more than ${limits.maxMessagesPerSecond} messages per second`);
      const message = isBinary ? undefined : parseClientMessage(rawText(data));
      if (!message)
        return shut(
          CLOSE_CODES.badMessage,
          'expected {"type":"ping"} or {"type":"follow","sessionId","afterSequence"?}',
        );
      heardAt = Date.now();
      if (message.type === "ping") return send(JSON.stringify({ type: "pong" }));
      void followIfHis(message.sessionId, message.afterSequence);
    });

    /**
     * Follows a session the rep takes part in, took part in, or is offered now: `afterSequence` (a
     * client that moved here from another replica) replays what he missed; his feed still ends after
     * his own leaving.
     */
    async function followIfHis(sessionId: string, afterSequence?: number): Promise<void> {
      try {
        const [participants, row] = await Promise.all([
          deps.participants.all(siteId, sessionId),
          deps.store.find(siteId, sessionId),
        ]);
        const his = participants.find((p) => p.repId === repId);
        const offered = row?.state === "offered" && row.repId === repId;
        if (his || offered) await channel.follow(sessionId, { afterSequence, participant: his?.leftAtMs === null });
        else send(JSON.stringify({ type: "error", reason: "NOT_A_PARTICIPANT", sessionId }));
      } catch (error) {
        logger.warn({ err: error, sessionId, repId }, "socket: follow failed");
        send(failureFrame(sessionId, error));
      }
    }

    ws.on("error", (error) => logger.debug({ err: error, repId, connectionId }, "socket error"));
    ws.on("close", (code) => {
      closing = true;
      open.delete(ws);
      clearInterval(pinger);
      clearTimeout(expiry);
      channel.detach(subscriber);
      logger.debug({ repId, connectionId, code }, "socket closed");
      const disconnect = () => {
        pendingDisconnects.delete(disconnect);
        clearTimeout(timer);
        options.presence
          .disconnect(siteId, repId, connectionId)
          .catch((error: unknown) => logger.debug({ err: error, repId, connectionId }, "socket: presence disconnect"));
      };
      const timer = setTimeout(disconnect, limits.disconnectGraceMs);
      timer.unref();
      pendingDisconnects.add(disconnect);
    });
  }

  app.get(SOCKET_PATH, (req, res, next) => {
    if (req.headers.upgrade?.toLowerCase() !== "websocket") {
      next(new HttpProblem(426, "Upgrade required", "open this path as a WebSocket", undefined, {}));
      return;
    }
    const token = socketToken(req);
    if (!token) {
      res.setHeader("WWW-Authenticate", 'Bearer realm="handoff"');
      next(
        new HttpProblem(
          401,
          "Unauthorized",
          "a bearer token is required (Authorization or bearer.<jwt> subprotocol)",
          undefined,
          {
            reason: "TOKEN_MISSING",
          },
        ),
      );
      return;
    }
    options.verifier
      .verify(token)
      .then(
        (principal) => {
          wss.handleUpgrade(req, req.socket, Buffer.alloc(0), (ws) => serve(ws, principal, token, resumeOf(req)));
        },
        (error: unknown) => {
          const status = (error as { status?: unknown }).status === 503 ? 503 : 401;
          const reason = (error as { reason?: unknown }).reason;
          next(
            new HttpProblem(
              status,
              status === 503 ? "Service unavailable" : "Unauthorized",
              (error as Error).message,
              undefined,
              {
                reason: typeof reason === "string" ? reason : "TOKEN_INVALID",
              },
            ),
          );
        },
      )
      .catch((error: unknown) => logger.error({ err: error }, "socket: upgrade failed"));
  });

  return {
    get sockets() {
      return open.size;
    },
    repPresence(event) {
      channels.get(`${event.siteId} ${event.repId}`)?.presence(event);
    },
    async repInvitation(notice) {
      const { siteId, invitee } = notice;
      const here = [...channels.values()].filter((channel) => channel.siteId === siteId);
      if (here.length === 0) return;
      try {
        const invited = invitee.kind === "rep" ? [invitee.id] : await options.teamMembers(siteId, invitee.id);
        for (const channel of here)
          if (channel.repId !== notice.byRepId && invited.includes(channel.repId)) channel.invitation(notice);
      } catch (error) {
        logger.warn({ err: error, siteId, invitationId: notice.invitationId }, "socket: invitation not delivered");
      }
    },
    close() {
      for (const shut of open.values()) shut(CLOSE_CODES.goingAway, "server shutting down");
      for (const channel of [...channels.values()]) channel.retire();
      for (const disconnect of [...pendingDisconnects]) disconnect();
    },
  };
}

type ClientMessage = { type: "ping" } | { type: "follow"; sessionId: string; afterSequence?: number };

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data as ArrayBuffer).toString("utf8");
}

function parseClientMessage(text: string): ClientMessage | undefined {
  try {
    const value = JSON.parse(text) as { type?: unknown; sessionId?: unknown; afterSequence?: unknown };
    if (value.type === "ping") return { type: "ping" };
    if (value.type !== "follow" || typeof value.sessionId !== "string" || value.sessionId.length > 128)
      return undefined;
    const after = value.afterSequence;
    if (after === undefined) return { type: "follow", sessionId: value.sessionId };
    if (typeof after !== "number" || !Number.isSafeInteger(after) || after < 0) return undefined;
    return { type: "follow", sessionId: value.sessionId, afterSequence: after };
  } catch {
    return undefined;
  }
}
