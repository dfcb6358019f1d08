import { SessionState, StartMethod, type QueueTarget, type RepState } from "@handoff/proto/common";
import { PresenceEvent, RoutingEvent, SessionEvent, SiteEvent } from "@handoff/proto/events";
import type { TOPICS } from "@handoff/proto";
import type { OutgoingEvent } from "@handoff/runtime";

/** The topic an event goes to, by what it carries. */
export type TopicKind = keyof typeof TOPICS;

/** An event as its producer publishes it, and the topic it goes to. */
export interface LoggedEvent {
  kind: TopicKind;
  message: OutgoingEvent;
}

type RoutingPayload = NonNullable<RoutingEvent["payload"]>;
type PresencePayload = NonNullable<PresenceEvent["payload"]>;
type SessionPayload = NonNullable<SessionEvent["payload"]>;

export const team = (teamId: string): QueueTarget => ({ target: { $case: "teamId", teamId } });

const typeOf = (payload: { $case: string }) => payload.$case.charAt(0).toUpperCase() + payload.$case.slice(1);

/**
 * Builds an event log the way the producers encode it: protobuf envelopes with the acd's and
 * presence's `<site>/<ms>-<seq>` outbox ids (one stream each, so their ids collide across topics as
 * the real ones can), the broker's per-session sequence, and the headers every producer sends.
 */
export class EventLogBuilder {
  readonly events: LoggedEvent[] = [];
  private readonly streamSeq = { routing: new Map<number, number>(), presence: new Map<number, number>() };
  private readonly sessionSeq = new Map<string, number>();

  constructor(readonly siteId: string) {}

  private streamId(kind: "routing" | "presence", atMs: number): string {
    const seq = this.streamSeq[kind].get(atMs) ?? 0;
    this.streamSeq[kind].set(atMs, seq + 1);
    return `${this.siteId}/${atMs}-${seq}`;
  }

  routing(atMs: number, sessionId: string, epoch: number, payload: RoutingPayload): this {
    const eventId = this.streamId("routing", atMs);
    const event = RoutingEvent.fromPartial({ eventId, occurredAtMs: atMs, siteId: this.siteId, sessionId, epoch });
    event.payload = payload;
    this.push("routing", sessionId, eventId, typeOf(payload), RoutingEvent.encode(event).finish());
    return this;
  }

  presence(atMs: number, repId: string, payload: PresencePayload): this {
    const eventId = this.streamId("presence", atMs);
    const event = PresenceEvent.fromPartial({ eventId, occurredAtMs: atMs, siteId: this.siteId, repId });
    event.payload = payload;
    this.push("presence", repId, eventId, typeOf(payload), PresenceEvent.encode(event).finish());
    return this;
  }

  session(atMs: number, sessionId: string, state: SessionState, payload: SessionPayload): this {
    const sequence = (this.sessionSeq.get(sessionId) ?? 0) + 1;
    this.sessionSeq.set(sessionId, sequence);
    const eventId = `${this.siteId}:${sessionId}:${sequence}`;
    const event = SessionEvent.fromPartial({
      eventId,
      occurredAtMs: atMs,
      siteId: this.siteId,
      sessionId,
      sequence,
      state,
    });
    event.payload = payload;
    this.push("sessions", sessionId, eventId, typeOf(payload), SessionEvent.encode(event).finish());
    return this;
  }

  /** Intake's SiteSettingsChanged of portal config `version` (the id intake gives it). */
  siteSettings(
    atMs: number,
    version: number,
    settings: { timeZone: string; serviceLevelThresholdMs: number; shortAbandonThresholdMs: number },
  ): this {
    const eventId = `${this.siteId}/portal-config/${version}`;
    const event = SiteEvent.encode({
      eventId,
      occurredAtMs: atMs,
      siteId: this.siteId,
      payload: { $case: "siteSettingsChanged", siteSettingsChanged: { version, ...settings, savedBy: "ada" } },
    }).finish();
    this.push("sites", this.siteId, eventId, "SiteSettingsChanged", event);
    return this;
  }

  private push(kind: TopicKind, key: string, eventId: string, eventType: string, value: Uint8Array): void {
    this.events.push({ kind, message: { key, value, eventId, eventType, schemaVersion: 1 } });
  }

  // Shorthands for the common events.

  created(atMs: number, sessionId: string, target: QueueTarget, problemTypeId = "printing"): this {
    return this.session(atMs, sessionId, SessionState.SESSION_STATE_CREATED, {
      $case: "sessionCreated",
      sessionCreated: {
        startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION,
        target,
        problemTypeId,
        customer: undefined,
        credentialId: "",
        clientMode: 0,
      },
    });
  }

  queued(atMs: number, sessionId: string, target: QueueTarget, problemTypeId = "printing"): this {
    return this.routing(atMs, sessionId, 0, {
      $case: "sessionQueued",
      sessionQueued: {
        target,
        priority: 0,
        requiredSkills: [],
        enqueuedAtMs: atMs,
        problemTypeId,
        rebuilt: false,
      },
    });
  }

  offered(atMs: number, sessionId: string, epoch: number, repId: string, fromQueue: QueueTarget): this {
    return this.routing(atMs, sessionId, epoch, {
      $case: "offerCreated",
      offerCreated: { repId, expiresAtMs: atMs + 20_000, fromQueue, decision: undefined },
    });
  }

  accepted(atMs: number, sessionId: string, epoch: number, repId: string, waitedMs: number): this {
    return this.routing(atMs, sessionId, epoch, { $case: "offerAccepted", offerAccepted: { repId, waitedMs } });
  }

  ended(atMs: number, sessionId: string, epoch: number, repId: string, handleMs: number): this {
    return this.routing(atMs, sessionId, epoch, { $case: "sessionEnded", sessionEnded: { repId, handleMs } });
  }

  stateChanged(
    atMs: number,
    repId: string,
    previous: RepState,
    previousMs: number,
    state: RepState,
    reason = "",
  ): this {
    return this.presence(atMs, repId, {
      $case: "repStateChanged",
      repStateChanged: {
        previousState: previous,
        previousReasonCode: "",
        previousDurationMs: previousMs,
        state,
        reasonCode: reason,
        actor: 2,
        actorId: repId,
      },
    });
  }
}
