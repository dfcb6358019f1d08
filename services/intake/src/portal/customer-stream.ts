import type { Logger } from "@handoff/runtime";
import type { SessionEvent } from "@handoff/proto/events";
import type { WatchSessionResponse } from "@handoff/proto/session_broker_service";
import type { Response } from "express";
import type { z } from "zod";
import type { CustomerBroker, CustomerCredential } from "./customer-broker";
import type { sessionStatus } from "./portal-schemas";
import { automaticNotices, isActive } from "./portal-view";
import { sessionStatusJson, STATE_NAMES } from "./session-json";
import type { SitePortal, SitePortals } from "./site-portals";
import { frameOfEvent, type StreamFrame } from "./stream-frames";
import { waitingMessage } from "./waiting-message";

/** A customer that reads slower than his stream is written is cut off here; he resumes from his last id. */
const MAX_BUFFERED_BYTES = 256 * 1024;
/** States in which the customer still waits for a rep. */
const WAITING = new Set(["created", "waiting", "offered"]);

const encode = (frame: StreamFrame): string =>
  `${frame.id === undefined ? "" : `id: ${frame.id}\n`}event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`;

export interface CustomerStreamDeps {
  broker: CustomerBroker;
  sites: SitePortals;
  logger: Logger;
  pollMs: number;
  keepAliveMs: number;
}

/**
 * One customer's live stream (Server-Sent Events): his session's WatchSession feed relayed as frames
 * whose id is the event's sequence, plus what intake adds while he waits: his position and estimate
 * (the feed has no event when others are served, so it is read every poll), the greeting, the hold
 * message every hold interval, and the site's notices, each once.
 */
export class CustomerStream {
  private state: string;
  private lastPosition: string;
  private lastHoldAtMs = Date.now();
  private readonly noticesSent = new Set<string>();
  private finished = false;
  private readonly poll: NodeJS.Timeout;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly watch: ReturnType<CustomerBroker["watch"]>;

  constructor(
    private readonly deps: CustomerStreamDeps,
    private readonly res: Response,
    private readonly credential: CustomerCredential,
    status: z.infer<typeof sessionStatus>,
    portal: SitePortal | undefined,
    lastEventId: number | undefined,
    private readonly onFinish: () => void,
  ) {
    this.state = status.state;
    this.lastPosition = JSON.stringify(status.position);
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Accel-Buffering": "no",
    });
    // Its events only come once this constructor has run: the frames below go first.
    this.watch = deps.broker.watch(credential, lastEventId ?? 0);
    this.watch.on("data", ({ event }: WatchSessionResponse) => event && this.relay(event));
    // The broker ended the feed (shutdown, a bound) or failed: the customer reconnects with his last id.
    this.watch.on("error", () => this.finish());
    this.watch.on("end", () => this.finish());
    res.on("close", () => this.finish());
    this.poll = setInterval(() => {
      this.tick().catch((error: unknown) => deps.logger.debug({ err: error }, "customer stream poll failed"));
    }, deps.pollMs);
    this.keepAlive = setInterval(() => {
      if (!this.finished) res.write(": keep-alive\n\n");
    }, deps.keepAliveMs);
    this.write({ event: "status", data: status });
    if (this.state === "offered") this.write({ event: "offered", data: {} });
    if (portal && this.state === "waiting" && lastEventId === undefined)
      this.write({
        event: "greeting",
        data: { text: waitingMessage(portal.config.messages.greeting, status.position) },
      });
    if (portal) this.sendNotices(portal);
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.poll);
    clearInterval(this.keepAlive);
    this.watch.cancel();
    this.res.end();
    this.onFinish();
  }

  private write(frame: StreamFrame): void {
    if (this.finished) return;
    this.res.write(encode(frame));
    if (this.res.writableLength > MAX_BUFFERED_BYTES) this.finish();
  }

  private relay(event: SessionEvent): void {
    this.state = STATE_NAMES[event.state] ?? this.state;
    const frame = frameOfEvent(event);
    if (frame) this.write(frame);
    if (event.payload?.$case === "sessionClosed") this.finish();
  }

  /** Active notices not sent on this stream yet (a changed text is a new notice). */
  private sendNotices(portal: SitePortal): void {
    const now = Date.now();
    const pushed = portal.config.notices.filter((n) => n.delivery === "pushed" && isActive(n, now));
    for (const notice of [...automaticNotices(portal, now), ...pushed]) {
      const key = `${notice.id}\n${notice.text}`;
      if (this.noticesSent.has(key)) continue;
      this.noticesSent.add(key);
      this.write({ event: "notice", data: { id: notice.id, text: notice.text, pushed: notice.delivery === "pushed" } });
    }
  }

  private async tick(): Promise<void> {
    if (!WAITING.has(this.state)) return;
    const [portal, now] = await Promise.all([
      this.deps.sites.get(this.credential.siteId),
      this.deps.broker.getSession(this.credential),
    ]);
    if (portal) this.sendNotices(portal);
    const status = sessionStatusJson(now.session!, now.position);
    // The feed hides offers from the customer (whom and why is routing's business); the state tells.
    if (status.state === "offered" && this.state !== "offered") this.write({ event: "offered", data: {} });
    if (WAITING.has(status.state)) this.state = status.state;
    if (status.state !== "waiting") return;
    const position = JSON.stringify(status.position);
    if (position !== this.lastPosition) {
      this.lastPosition = position;
      this.write({ event: "position", data: status.position });
    }
    const messages = portal?.config.messages;
    if (messages && Date.now() - this.lastHoldAtMs >= messages.holdIntervalSeconds * 1_000) {
      this.lastHoldAtMs = Date.now();
      this.write({ event: "hold", data: { text: waitingMessage(messages.hold, status.position) } });
    }
  }
}
