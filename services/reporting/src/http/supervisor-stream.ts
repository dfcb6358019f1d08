import {
  authenticate,
  badRequest,
  HttpProblem,
  parseRequest,
  principalKey,
  principalOf,
  rateLimitPerMinute,
  type AgentTokenVerifier,
} from "@handoff/runtime";
import type { Express, Response } from "express";
import { LiveStreamsExhaustedError, type LiveHub } from "../live/live-hub";
import type { LiveSnapshot } from "../live/live-view";
import { requireSupervisor } from "./supervisor-api";
import { lastEventIdHeader, supervisorStreamQuery } from "./supervisor-stream-schemas";

/** A client that reads slower than its stream is written is cut off here; it reconnects for a fresh snapshot. */
const MAX_BUFFERED_BYTES = 512 * 1024;

export interface SupervisorStreamOptions {
  verifier: AgentTokenVerifier;
  /** Stream (re)connections per supervisor (site and subject) per minute. */
  rateLimitPerMinute: number;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  heartbeatMs: number;
  /** A stream ends after this long, so a revoked or expired token stops being served; the client reconnects. */
  maxAgeMs: number;
}

export interface SupervisorStreams {
  /** Ends every open stream (shutdown: the clients reconnect to another replica). */
  closeAll(): void;
}

const frameText = (snapshot: LiveSnapshot): string =>
  `id: ${snapshot.atMs}\nevent: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`;

/**
 * `GET /v1/supervisor/stream`: Server-Sent Events of the supervisor's own site, from the replica's
 * live hub. The token comes in the Authorization header (the wallboard reads the stream with fetch),
 * never in the URL.
 */
export function mountSupervisorStream(app: Express, hub: LiveHub, options: SupervisorStreamOptions): SupervisorStreams {
  const open = new Set<() => void>();
  app.get(
    "/v1/supervisor/stream",
    authenticate(options.verifier),
    requireSupervisor,
    rateLimitPerMinute(options.rateLimitPerMinute, principalKey),
    (req, res, next) => {
      try {
        const { query } = parseRequest(
          { query: supervisorStreamQuery },
          { params: {}, query: req.query, body: undefined },
        );
        if (!lastEventIdHeader.safeParse(req.headers["last-event-id"]).success)
          throw badRequest("Last-Event-ID", "must be the id of a frame of this stream");
        const principal = principalOf(res);
        let end = (): void => undefined;
        const unsubscribe = hub.subscribe(
          principal,
          { siteId: principal.siteId, ...query },
          {
            frame: (snapshot) => write(res, frameText(snapshot), () => end()),
          },
        );
        res.writeHead(200, {
          "content-type": "text/event-stream; charset=utf-8",
          "cache-control": "no-store",
          "x-accel-buffering": "no",
        });
        res.flushHeaders();
        const heartbeat = setInterval(() => write(res, ": heartbeat\n\n", () => end()), options.heartbeatMs);
        const expiry = setTimeout(() => end(), options.maxAgeMs);
        end = () => {
          clearInterval(heartbeat);
          clearTimeout(expiry);
          unsubscribe();
          open.delete(end);
          res.end();
        };
        open.add(end);
        res.on("close", end);
      } catch (error) {
        next(
          error instanceof LiveStreamsExhaustedError
            ? new HttpProblem(429, "Too many live streams", error.message, undefined, { reason: error.bound })
            : error,
        );
      }
    },
  );
  return {
    closeAll() {
      for (const end of [...open]) end();
    },
  };
}

function write(res: Response, text: string, overflow: () => void): void {
  if (res.writableEnded) return;
  res.write(text);
  if (res.writableLength > MAX_BUFFERED_BYTES) overflow();
}
