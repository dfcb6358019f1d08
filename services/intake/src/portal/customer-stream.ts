import type { Logger } from "@handoff/runtime";
import type { SessionEvent } from "@handoff/proto/events";
import type { WatchSessionResponse } from "@handoff/proto/session_broker_service";
import type { Response } from "express";
import type { z } from "zod";
import type { CustomerBroker, CustomerCredential } from "./customer-broker";
import type { sessionStatus } from "./portal-schemas";
import { automaticNotices, isActive } from "./portal-view";
import { queueKeyOf, type QueueKey } from "./queue-changes";
import type { QueuePositions } from "./queue-positions";
import type { RefreshQueue } from "./refresh-queue";
import { positionJson, STATE_NAMES } from "./session-json";
import type { SitePortal, SitePortals } from "./site-portals";
import { frameOfEvent, repNamesOf, type RepNames, type StreamFrame } from "./stream-frames";
import { waitingMessage } from "./waiting-message";

/** A customer that reads slower than his stream is written is cut off here; he resumes from his last id. */
const MAX_BUFFERED_BYTES = 256 * 1024;
/**
 * Frames of the history a first connect (no Last-Event-ID) replays that the status already sums up: an
 * old place in the queue would overwrite the status's current one, and an old callback would notify
 * the customer again on every reload (the status carries its deadline).
 */
const SUMMED_UP_BY_STATUS = new Set(["waiting", "callback"]);
/** States in which the customer still waits for a rep. */
const WAITING = new Set(["created", "waiting", "offered"]);

type Position = z.infer<typeof sessionStatus>["position"];

const encode = (frame: StreamFrame): string =>
  `${frame.id === undefined ? "" : `id: ${frame.id}\n`}event: ${frame.event}\ndata: ${JSON.stringify(frame.data)}\n\n`;

export interface CustomerStreamDeps {
  broker: CustomerBroker;
  positions: Pick<QueuePositions, "read">;
  sites: SitePortals;
  logger: Logger;
  /** Where position reads wait their turn (queue events ask for them, and the safety refresh). */
  refreshes: RefreshQueue<CustomerStream>;
  /** How often notices and the hold message are checked (the site's config is cached that long). */
  housekeepingMs: number;
  /** How often a waiting customer's position is read even without a queue event. */
  safetyRefreshMs: number;
  keepAliveMs: number;
}

/** What the registry learns of a stream: the queue it waits in moved, or it finished. */
export interface CustomerStreamHooks {
  moved(stream: CustomerStream, from: QueueKey | undefined): void;
  finished(stream: CustomerStream): void;
}

/**
 * One customer's live stream (Server-Sent Events): his session's WatchSession feed relayed as frames
 * whose id is the event's sequence, plus what intake adds while he waits: his position and estimate
 * (the feed has no event when others are served: the registry calls `refresh` when a routing event
 * changed his queue, and a slow safety refresh covers what events cannot say), the greeting, the
 * hold message every hold interval, and the site's notices, each once.
 */
export class CustomerStream {
  private state: string;
  /** The queue the session waits in (or was answered from), as its last SessionWaiting said. */
  queue: QueueKey | undefined;
  private position: Position;
  /** The sequence the first status was read at: feed events up to it are history. */
  private readonly statusSequence: number;
  /** The feed replays the whole history (a first connect, not a resume after a drop). */
  private readonly fullReplay: boolean;
  private lastHoldAtMs = Date.now();
  private lastReadAtMs = Date.now();
  private readonly noticesSent = new Set<string>();
  private finished = false;
  private readonly housekeeping: NodeJS.Timeout;
  private readonly keepAlive: NodeJS.Timeout;
  private readonly watch: ReturnType<CustomerBroker["watch"]>;
  private readonly repNames: RepNames;

  constructor(
    private readonly deps: CustomerStreamDeps,
    private readonly res: Response,
    readonly credential: CustomerCredential,
    status: z.infer<typeof sessionStatus>,
    queue: QueueKey | undefined,
    portal: SitePortal | undefined,
    lastEventId: number | undefined,
    private readonly hooks: CustomerStreamHooks,
    /** Its claim's generation (StreamClaims): a stream of the same session with a higher one replaces it. */
    readonly generation: number,
  ) {
    this.state = status.state;
    this.queue = queue;
    this.position = status.position;
    this.statusSequence = status.lastSequence;
    this.fullReplay = lastEventId === undefined;
    this.repNames = repNamesOf(portal?.config.reps);
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
    this.housekeeping = setInterval(() => {
      this.tend().catch((error: unknown) => deps.logger.debug({ err: error }, "customer stream housekeeping failed"));
    }, deps.housekeepingMs);
    this.keepAlive = setInterval(() => {
      if (!this.finished) res.write(": keep-alive\n\n");
    }, deps.keepAliveMs);
    // Named as the accepted frame names him: a stream that connects after the accept gets his name here.
    const displayName = status.repId === null ? undefined : this.repNames(status.repId);
    this.write({ event: "status", data: { ...status, displayName } });
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
    clearInterval(this.housekeeping);
    clearInterval(this.keepAlive);
    this.watch.cancel();
    this.res.end();
    this.hooks.finished(this);
  }

  /** Whether a read of the position may tell the customer something new. */
  get waiting(): boolean {
    return !this.finished && WAITING.has(this.state);
  }

  private write(frame: StreamFrame): void {
    if (this.finished) return;
    this.res.write(encode(frame));
    if (this.res.writableLength > MAX_BUFFERED_BYTES) this.finish();
  }

  private relay(event: SessionEvent): void {
    // The history replayed on connect is what the status already sums up.
    const history = event.sequence <= this.statusSequence;
    if (!history) this.follow(event);
    const frame = frameOfEvent(event, this.repNames);
    if (frame && !(history && this.fullReplay && SUMMED_UP_BY_STATUS.has(frame.event))) this.write(frame);
    if (event.payload?.$case === "sessionClosed") this.finish();
  }

  /** A live event's news for what intake adds: the state, and the queue and place of a (re)queue. */
  private follow(event: SessionEvent): void {
    const before = this.state;
    this.state = STATE_NAMES[event.state] ?? this.state;
    // The feed hides offers from the customer (whom and why is routing's business); the state tells.
    if (this.state === "offered" && before !== "offered") this.write({ event: "offered", data: {} });
    if (event.payload?.$case !== "sessionWaiting") return;
    const waiting = event.payload.sessionWaiting;
    this.position = positionJson(waiting.position);
    const from = this.queue;
    this.queue = queueKeyOf(waiting.target) ?? from;
    if (this.queue !== from) this.hooks.moved(this, from);
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

  /** Reads the position and estimate again; a frame only when either changed. */
  async refresh(): Promise<void> {
    if (!this.waiting) return;
    this.lastReadAtMs = Date.now();
    const now = await this.deps.positions.read(this.credential.siteId, this.credential.sessionId);
    const state = STATE_NAMES[now.state];
    // A read may pass the feed: an offer the acd made before the broker's event reached this stream.
    if (state === "offered" && this.state === "waiting") {
      this.state = "offered";
      this.write({ event: "offered", data: {} });
    }
    if (state !== "waiting" || this.state !== "waiting") return;
    const position = positionJson(now.position);
    if (JSON.stringify(position) === JSON.stringify(this.position)) return;
    this.position = position;
    this.write({ event: "position", data: position });
  }

  /** Notices and the hold message, from the site's cached config; the safety refresh when due. */
  private async tend(): Promise<void> {
    if (!this.waiting) return;
    if (Date.now() - this.lastReadAtMs >= this.deps.safetyRefreshMs) {
      this.lastReadAtMs = Date.now();
      this.deps.refreshes.request(this);
    }
    const portal = await this.deps.sites.get(this.credential.siteId);
    if (!portal) return;
    this.sendNotices(portal);
    const messages = portal.config.messages;
    if (this.state === "waiting" && Date.now() - this.lastHoldAtMs >= messages.holdIntervalSeconds * 1_000) {
      this.lastHoldAtMs = Date.now();
      this.write({ event: "hold", data: { text: waitingMessage(messages.hold, this.position) } });
    }
  }
}
