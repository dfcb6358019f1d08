import { HttpProblem, type Logger } from "@handoff/runtime";
import type { WatchSessionResponse } from "@handoff/proto/session_broker_service";
import type { Response } from "express";
import type { CustomerBroker, CustomerCredential } from "./customer-broker";
import { automaticNotices, isActive } from "./portal-view";
import { sessionStatusJson, STATE_NAMES } from "./session-json";
import type { SitePortals } from "./site-portals";
import { frameOfEvent, type StreamFrame } from "./stream-frames";
import { waitingMessage } from "./waiting-message";

export interface CustomerStreamOptions {
  /** How often a waiting customer's position is read again (the feed has no event for others being served). @default 2000 */
  pollMs?: number;
  /** @default 15000 */
  keepAliveMs?: number;
  /** Streams one replica holds at once. @default 20000 */
  maxStreams?: number;
}

/** A customer that reads slower than his stream is written is cut off here; he resumes from his last id. */
const MAX_BUFFERED_BYTES = 256 * 1024;
const WAITING = new Set(["created", "waiting", "offered"]);

const encode = (frame: StreamFrame): string =>
  `${frame.id === undefined ? "" : `id: ${frame.id}\n`}event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`;

/**
 * Each customer's one live stream (Server-Sent Events): the broker's WatchSession feed of his session,
 * relayed as frames with the session's sequence as their id (a reconnect with Last-Event-ID resumes
 * after it), plus what intake adds while he waits: his position and estimate, the greeting, the hold
 * message every hold interval, and the site's notices. A second stream of the same session (a reload,
 * another tab) closes the first.
 */
export class CustomerStreams {
  private readonly open = new Map<string, () => void>();
  private readonly pollMs: number;
  private readonly keepAliveMs: number;
  private readonly maxStreams: number;

  constructor(
    private readonly broker: CustomerBroker,
    private readonly sites: SitePortals,
    private readonly logger: Logger,
    options: CustomerStreamOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 2_000;
    this.keepAliveMs = options.keepAliveMs ?? 15_000;
    this.maxStreams = options.maxStreams ?? 20_000;
  }

  get size(): number {
    return this.open.size;
  }

  /** Answers the stream; resolves once it has started (its errors before that are the caller's to answer). */
  async serve(res: Response, c: CustomerCredential, lastEventId: number | undefined): Promise<void> {
    const key = `${c.siteId}/${c.sessionId}`;
    if (this.open.size >= this.maxStreams && !this.open.has(key))
      throw new HttpProblem(429, "Too many requests", "this server holds as many streams as it can; retry", undefined, {
        reason: "LIMIT_REACHED",
      });
    const first = await this.broker.getSession(c);
    const portal = await this.sites.get(c.siteId);
    this.open.get(key)?.();

    let status = sessionStatusJson(first.session!, first.position);
    let state: string = status.state;
    let lastPosition = JSON.stringify(status.position);
    let lastHoldAtMs = Date.now();
    const noticesSent = new Set<string>();
    let finished = false;

    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    });
    const write = (frame: StreamFrame) => {
      if (finished) return;
      res.write(encode(frame));
      if (res.writableLength > MAX_BUFFERED_BYTES) finish();
    };

    const watch = this.broker.watch(c, lastEventId ?? 0);
    const finish = () => {
      if (finished) return;
      finished = true;
      clearInterval(poll);
      clearInterval(keepAlive);
      watch.cancel();
      if (this.open.get(key) === finish) this.open.delete(key);
      res.end();
    };
    this.open.set(key, finish);

    write({ event: "status", data: status });
    const messages = portal?.config.messages;
    if (state === "offered") write({ event: "offered", data: {} });
    if (messages && state === "waiting" && lastEventId === undefined)
      write({ event: "greeting", data: { text: waitingMessage(messages.greeting, status.position) } });

    const sendNotices = async () => {
      const current = await this.sites.get(c.siteId);
      if (!current) return;
      const now = Date.now();
      const pushed = current.config.notices.filter((n) => n.delivery === "pushed" && isActive(n, now));
      for (const notice of [...automaticNotices(current, now), ...pushed]) {
        const id = `${notice.id}:${notice.text.length}:${notice.activeFrom ?? ""}`;
        if (noticesSent.has(id)) continue;
        noticesSent.add(id);
        write({ event: "notice", data: { id: notice.id, text: notice.text, pushed: notice.delivery === "pushed" } });
      }
    };

    const tick = async () => {
      if (!WAITING.has(state)) return;
      await sendNotices();
      const now = await this.broker.getSession(c);
      status = sessionStatusJson(now.session!, now.position);
      // The feed hides offers from the customer (who and why is routing's business); the state tells.
      if (status.state === "offered" && state !== "offered") write({ event: "offered", data: {} });
      if (WAITING.has(status.state)) state = status.state;
      const position = JSON.stringify(status.position);
      if (position !== lastPosition && status.state === "waiting") {
        lastPosition = position;
        write({ event: "position", data: status.position });
      }
      const hold = portal?.config.messages;
      if (hold && Date.now() - lastHoldAtMs >= hold.holdIntervalSeconds * 1_000) {
        lastHoldAtMs = Date.now();
        write({ event: "hold", data: { text: waitingMessage(hold.hold, status.position) } });
      }
    };
    const poll = setInterval(() => {
      tick().catch((error: unknown) => this.logger.debug({ err: error }, "customer stream poll failed"));
    }, this.pollMs);
    const keepAlive = setInterval(() => {
      if (!finished) res.write(": keep-alive\n\n");
    }, this.keepAliveMs);

    void sendNotices().catch(() => undefined);
    watch.on("data", ({ event }: WatchSessionResponse) => {
      if (!event) return;
      state = STATE_NAMES[event.state] ?? state;
      const frame = frameOfEvent(event);
      if (frame) write(frame);
      if (event.payload?.$case === "sessionClosed") finish();
    });
    // The broker ended the feed (shutdown, a bound) or failed: the customer reconnects with his last id.
    watch.on("error", () => finish());
    watch.on("end", () => finish());
    res.on("close", finish);
  }

  /** At shutdown: every customer reconnects (to another replica) with his last id. */
  closeAll(): void {
    for (const finish of [...this.open.values()]) finish();
  }
}
