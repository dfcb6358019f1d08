import { randomUUID } from "node:crypto";
import type { Logger } from "@handoff/runtime";
import type { Offer } from "@handoff/proto/acd_service";
import { PresenceEvent, SessionEvent } from "@handoff/proto/events";
import type { SessionFeed } from "../commands/session-feed";
import type { RepInvitationNotice } from "../store/session-events";
import type { RepOfferFeed } from "../routing/rep-offer-feed";
import type { ParticipantStore } from "../store/participant-store";
import type { SessionStore } from "../store/session-store";
import { failureFrame, type ResyncReason, type SocketLimits } from "./socket-protocol";

/** One open socket of the rep, as his channel sees it. */
export interface ChannelSubscriber {
  send(frame: string): void;
}

export interface RepChannelDeps {
  logger: Logger;
  store: Pick<SessionStore, "find">;
  participants: Pick<ParticipantStore, "sessionIdsOfRep" | "all">;
  feed: Pick<SessionFeed, "watch">;
  repOffers: Pick<RepOfferFeed, "watch">;
}

interface LoggedFrame {
  seq: number;
  frame: string;
}

/** What a resume gets: the frames after the client's sequence, or why it must resync. */
export type ResumeResult = { frames: string[]; resync?: never } | { resync: ResyncReason; frames?: never };

/**
 * One rep's live log on this replica: his offers (RepOfferFeed) and the events of his sessions
 * (SessionFeed, across replicas through PostgreSQL), numbered in arrival order and fanned out to
 * every socket he has here. The last `resumeBuffer` frames (within `resumeBufferBytes`) are kept so
 * a socket that reconnects to this replica with (logId, seq) gets exactly what it missed. The log is
 * per replica on purpose: a reconnect to another replica (or after the log retired) gets `resync` and
 * the client reads the current state over HTTP; offers still pending are replayed by the acd when
 * the new replica subscribes for the rep. A shared log in PostgreSQL would make every offer and chat
 * line a write for a case (switching replicas) that a snapshot read already covers.
 */
export class RepChannel {
  readonly logId = randomUUID();
  private seq = 0;
  private readonly log: LoggedFrame[] = [];
  private logBytes = 0;
  private readonly subscribers = new Set<ChannelSubscriber>();
  private readonly follows = new Map<string, { stop: AbortController; from: number }>();
  private readonly closing = new AbortController();
  private unwatchOffers?: () => void;
  private retireTimer?: NodeJS.Timeout;

  constructor(
    readonly siteId: string,
    readonly repId: string,
    private readonly deps: RepChannelDeps,
    private readonly limits: Pick<SocketLimits, "resumeBuffer" | "resumeBufferBytes" | "retainMs">,
    private readonly onRetired: (channel: RepChannel) => void,
  ) {}

  /** The last sequence of the log (0 before the first message). */
  get lastSeq(): number {
    return this.seq;
  }

  get size(): number {
    return this.subscribers.size;
  }

  /** Starts feeding the log: the rep's offers and the sessions he takes part in now. */
  start(): void {
    this.unwatchOffers = this.deps.repOffers.watch(this.siteId, this.repId, (offer) => this.onOffer(offer));
    void this.deps.participants
      .sessionIdsOfRep(this.siteId, this.repId)
      .then((ids) => Promise.all(ids.map((id) => this.follow(id, { participant: true }))))
      .catch((error: unknown) =>
        this.deps.logger.warn({ err: error, repId: this.repId }, "socket: the rep's sessions not read"),
      );
  }

  /** Adds a socket; with `resume`, first answers what it missed (or why it must resync). */
  attach(subscriber: ChannelSubscriber, resume?: { logId: string; seq: number }): ResumeResult {
    clearTimeout(this.retireTimer);
    this.retireTimer = undefined;
    this.subscribers.add(subscriber);
    if (!resume) return { frames: [] };
    return this.since(resume.logId, resume.seq);
  }

  detach(subscriber: ChannelSubscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size > 0 || this.retireTimer) return;
    this.retireTimer = setTimeout(() => this.retire(), this.limits.retainMs);
    this.retireTimer.unref();
  }

  /**
   * Follows a session's events from `afterSequence` (its current end when left out). A follow already
   * running from that point or earlier is kept; one that started later is replaced, so a client that
   * moved here from another replica gets the events it missed (a replay may repeat events this log
   * carried already: clients drop a session sequence they have seen). `participant`: the rep takes part
   * in it now (not only offered), so another rep's assignment or the close does not end the follow.
   */
  async follow(sessionId: string, options: { afterSequence?: number; participant?: boolean } = {}): Promise<void> {
    if (this.closing.signal.aborted) return;
    // A feed being stopped (its offer lapsed) does not count: the session may be offered to him again.
    const running = this.follows.get(sessionId);
    const live = running && !running.stop.signal.aborted;
    if (live && (options.afterSequence === undefined || running.from <= options.afterSequence)) return;
    const stop = new AbortController();
    const follow = { stop, from: options.afterSequence ?? Number.MAX_SAFE_INTEGER };
    this.follows.set(sessionId, follow);
    if (live) running.stop.abort();
    try {
      const row = await this.deps.store.find(this.siteId, sessionId);
      if (!row || stop.signal.aborted) return;
      const from = Math.min(options.afterSequence ?? row.lastSequence, row.lastSequence);
      follow.from = from;
      let joined = options.participant === true;
      const sink = {
        write: (event: SessionEvent) => {
          this.publish("session", { sessionId, event: SessionEvent.toJSON(event) });
          const payload = event.payload;
          if (payload?.$case === "participantJoined" && payload.participantJoined.repId === this.repId) joined = true;
          const notHis =
            (payload?.$case === "sessionOfferLapsed" && payload.sessionOfferLapsed.repId === this.repId && !joined) ||
            (payload?.$case === "sessionAssigned" && payload.sessionAssigned.repId !== this.repId && !joined) ||
            (payload?.$case === "sessionClosed" && !joined);
          if (notHis) stop.abort();
          return Promise.resolve();
        },
      };
      // A rep in the session now was checked at its last sequence: a leave before it was followed by a
      // return. One who is not (offered, or left) is checked where the feed starts.
      const checkedAtSequence = options.participant ? row.lastSequence : from;
      const audience = { kind: "rep" as const, repId: this.repId, checkedAtSequence };
      await this.deps.feed.watch(
        this.siteId,
        sessionId,
        from,
        audience,
        sink,
        AbortSignal.any([stop.signal, this.closing.signal]),
      );
    } catch (error) {
      this.deps.logger.warn({ err: error, sessionId, repId: this.repId }, "socket: session feed ended with an error");
      // Not a log frame: a resume must not replay it. His clients follow the session again when told to.
      if (!stop.signal.aborted && !this.closing.signal.aborted) {
        const frame = failureFrame(sessionId, error);
        for (const subscriber of this.subscribers) subscriber.send(frame);
      }
    } finally {
      if (this.follows.get(sessionId) === follow) this.follows.delete(sessionId);
    }
  }

  /** Ends the log: offers unwatched, session feeds stopped, removed from the registry. */
  retire(): void {
    if (this.closing.signal.aborted) return;
    clearTimeout(this.retireTimer);
    this.closing.abort();
    this.unwatchOffers?.();
    this.onRetired(this);
  }

  /** An invitation into a session, for him or for a team of his. */
  invitation(notice: RepInvitationNotice): void {
    const { sessionId, invitationId, byRepId, invitee } = notice;
    this.publish("invitation", { invitation: { sessionId, invitationId, byRepId, invitee } });
  }

  /** A change of the rep's presence (state, teams, capacity, a dropped desktop). */
  presence(event: PresenceEvent): void {
    this.publish("presence", { event: PresenceEvent.toJSON(event) });
  }

  private onOffer(offer: Offer): void {
    this.publish("offer", {
      offer: {
        sessionId: offer.sessionId,
        epoch: offer.epoch,
        expiresAtMs: offer.expiresAtMs,
        fromQueue: queueOf(offer),
      },
    });
    void this.follow(offer.sessionId);
  }

  private publish(type: "offer" | "session" | "presence" | "invitation", body: Record<string, unknown>): void {
    this.seq++;
    const frame = JSON.stringify({ seq: this.seq, type, ...body });
    this.log.push({ seq: this.seq, frame });
    this.logBytes += frame.length;
    while (this.log.length > this.limits.resumeBuffer || this.logBytes > this.limits.resumeBufferBytes)
      this.logBytes -= this.log.shift()!.frame.length;
    for (const subscriber of this.subscribers) subscriber.send(frame);
  }

  private since(logId: string, seq: number): ResumeResult {
    if (logId !== this.logId) return { resync: "UNKNOWN_LOG" };
    if (seq > this.seq) return { resync: "AHEAD_OF_LOG" };
    const oldest = this.log[0]?.seq ?? this.seq + 1;
    if (seq < oldest - 1) return { resync: "TOO_FAR_BEHIND" };
    return { frames: this.log.filter((entry) => entry.seq > seq).map((entry) => entry.frame) };
  }
}

/** The queue the offer came from: `{ teamId }` or `{ repId }` (a personal queue). */
function queueOf(offer: Offer): { teamId: string } | { repId: string } | undefined {
  const target = offer.fromQueue?.target;
  if (target?.$case === "teamId") return { teamId: target.teamId };
  if (target?.$case === "repId") return { repId: target.repId };
  return undefined;
}
