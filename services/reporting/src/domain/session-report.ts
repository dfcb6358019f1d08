import { Actor, clientModeToJSON, permissionToJSON, routingStrategyToJSON } from "@handoff/proto/common";
import { permissionChangeToJSON, RoutingEvent, SessionEvent } from "@handoff/proto/events";
import type { HandledPartRow, OfferOutcome, QueueEntryRow, QueueRef, SessionRow } from "./session-facts";
import { deriveSessionFacts, queueRef, type SessionHistory } from "./session-timeline";

export type ActorKind = "customer" | "rep" | "supervisor" | "system";

/** Who did something: a rep or supervisor by id; the customer and the system have none. */
export interface ReportActor {
  kind: ActorKind;
  id: string | null;
}

export interface TimelineItem {
  atMs: number;
  /** `acd` for handoff.routing.v1, `broker` for handoff.sessions.v1. */
  source: "acd" | "broker";
  /** The event's payload case, e.g. `OfferCreated`, `ChatMessageSent`. */
  type: string;
  actor: ReportActor;
  eventId: string;
  /** The payload as its producer published it (proto JSON). */
  details: Record<string, unknown>;
}

export interface OfferDecision {
  epoch: number;
  repId: string;
  fromQueue: QueueRef | null;
  offeredAtMs: number;
  expiresAtMs: number;
  outcome: OfferOutcome | "pending";
  endedAtMs: number | null;
  /** The acd's abandon reason for an offer the customer's leaving ended; null otherwise. */
  reason: string | null;
  decision: {
    strategy: string;
    trigger: string;
    candidatesConsidered: number;
    winningScore: number;
    tieBreak: string;
  };
}

export interface SessionReport {
  sessionId: string;
  summary: SessionRow & { clientMode: string | null };
  customer: {
    name: string;
    company: string;
    email: string;
    description: string;
    locale: string;
    companyCode: string;
    verifiedFields: string[];
  } | null;
  queueEntries: QueueEntryRow[];
  offers: OfferDecision[];
  handledParts: HandledPartRow[];
  transfers: {
    atMs: number;
    fromRepId: string | null;
    to: QueueRef | null;
    priority: number;
    answeredByRepId: string | null;
  }[];
  participants: {
    repId: string;
    primary: boolean;
    joinedAtMs: number;
    leftAtMs: number | null;
    leftReason: string | null;
  }[];
  consent: {
    atMs: number;
    agreementAccepted: boolean;
    agreementVersion: string;
    recordingAllowed: boolean;
    accessLinkAllowed: boolean;
  }[];
  permissions: {
    atMs: number;
    permission: string;
    application: string;
    change: string;
    actor: ReportActor;
    requestId: string;
  }[];
  notes: { atMs: number; repId: string; text: string }[];
  chat: { atMs: number; from: ReportActor; text: string }[];
  customerSurveys: { atMs: number; satisfaction: number; comment: string }[];
  repSurveys: { atMs: number; repId: string; resolutionCode: string; comment: string }[];
  timeline: TimelineItem[];
}

const ACTOR_KINDS: Record<Actor, ActorKind> = {
  [Actor.ACTOR_UNSPECIFIED]: "system",
  [Actor.ACTOR_SYSTEM]: "system",
  [Actor.ACTOR_REP]: "rep",
  [Actor.ACTOR_SUPERVISOR]: "supervisor",
  [Actor.ACTOR_CUSTOMER]: "customer",
  [Actor.UNRECOGNIZED]: "system",
};

const actorOf = (actor: Actor, id: string): ReportActor => {
  const kind = ACTOR_KINDS[actor];
  return { kind, id: kind === "rep" || kind === "supervisor" ? id || null : null };
};
const rep = (id: string): ReportActor => (id ? { kind: "rep", id } : SYSTEM);
const SYSTEM: ReportActor = { kind: "system", id: null };
const CUSTOMER: ReportActor = { kind: "customer", id: null };

/** Who acted in an acd event: the rep who answered, turned down, ended or passed on the session; else the acd. */
function routingActor(payload: RoutingEvent["payload"]): ReportActor {
  switch (payload?.$case) {
    case "offerAccepted":
      return rep(payload.offerAccepted.repId);
    case "offerRejected":
      return rep(payload.offerRejected.repId);
    case "sessionTransferred":
      return rep(payload.sessionTransferred.fromRepId);
    case "sessionEnded":
      return rep(payload.sessionEnded.repId);
    default:
      return SYSTEM;
  }
}

/** Who acted in a broker event, from the fields the event carries. */
function sessionActor(payload: SessionEvent["payload"]): ReportActor {
  switch (payload?.$case) {
    case "sessionCreated":
    case "consentRecorded":
    case "surveySubmitted":
      return CUSTOMER;
    case "permissionChanged":
      return actorOf(payload.permissionChanged.actor, payload.permissionChanged.actorId);
    case "chatMessageSent":
      return actorOf(payload.chatMessageSent.from, payload.chatMessageSent.fromId);
    case "nudged":
      return actorOf(payload.nudged.from, payload.nudged.fromId);
    case "sessionClosed":
      return actorOf(payload.sessionClosed.actor, payload.sessionClosed.actorId);
    case "participantJoined":
      return rep(payload.participantJoined.repId);
    case "participantLeft":
      return rep(payload.participantLeft.repId);
    case "noteAdded":
      return rep(payload.noteAdded.repId);
    case "sessionAssigned":
      return rep(payload.sessionAssigned.repId);
    case "controlHandedOver":
      return rep(payload.controlHandedOver.fromRepId);
    case "repInvited":
      return rep(payload.repInvited.byRepId);
    case "repInvitationAnswered":
      return rep(payload.repInvitationAnswered.repId);
    case "repReconnected":
      return rep(payload.repReconnected.repId);
    case "repSurveySubmitted":
      return rep(payload.repSurveySubmitted.repId);
    case "accessLinkChanged":
      return rep(payload.accessLinkChanged.repId);
    default:
      return SYSTEM;
  }
}

const typeName = (payloadCase: string) => payloadCase.charAt(0).toUpperCase() + payloadCase.slice(1);

/** The payload case's own object of an event's proto JSON (`{ offerCreated: {...} }` → `{...}`). */
function detailsOf(json: unknown, payloadCase: string): Record<string, unknown> {
  const inner = (json as Record<string, unknown>)[payloadCase];
  return typeof inner === "object" && inner !== null ? (inner as Record<string, unknown>) : {};
}

function timelineOf(history: SessionHistory): TimelineItem[] {
  const acd = history.routing.flatMap((event): TimelineItem[] =>
    event.payload
      ? [
          {
            atMs: event.occurredAtMs,
            source: "acd",
            type: typeName(event.payload.$case),
            actor: routingActor(event.payload),
            eventId: event.eventId,
            details: detailsOf(RoutingEvent.toJSON(event), event.payload.$case),
          },
        ]
      : [],
  );
  const broker = history.sessions.flatMap((event): TimelineItem[] =>
    event.payload
      ? [
          {
            atMs: event.occurredAtMs,
            source: "broker",
            type: typeName(event.payload.$case),
            actor: sessionActor(event.payload),
            eventId: event.eventId,
            details: detailsOf(SessionEvent.toJSON(event), event.payload.$case),
          },
        ]
      : [],
  );
  // Each producer's own order is kept (the acd's stream order, the broker's sequence); the two merge
  // by time, the broker's event first at a tie: the broker records a session before it asks the acd to
  // queue it, often in the same millisecond, while the acd's offers reach the broker a hop later.
  const merged: TimelineItem[] = [];
  let i = 0;
  let j = 0;
  while (i < acd.length || j < broker.length) {
    const next = i >= acd.length || (j < broker.length && broker[j]!.atMs <= acd[i]!.atMs) ? broker[j++]! : acd[i++]!;
    merged.push(next);
  }
  return merged;
}

/**
 * The full story of one session from its stored events: the facts reporting counts (queue entries,
 * offers, the reps' parts, derived by `deriveSessionFacts` so the report and the figures agree), the
 * decision record the acd published with each offer, and what only the broker knows (consent,
 * permissions, participants, notes, chat, surveys). Pure: the caller reads the events in the event
 * log's order (routing by time and stream id, sessions by sequence).
 */
export function buildSessionReport(history: SessionHistory): SessionReport {
  const facts = deriveSessionFacts(history);
  const report: SessionReport = {
    sessionId: history.sessionId,
    summary: { ...facts.session, clientMode: null },
    customer: null,
    queueEntries: facts.entries,
    offers: [],
    handledParts: facts.parts,
    transfers: [],
    participants: [],
    consent: [],
    permissions: [],
    notes: [],
    chat: [],
    customerSurveys: [],
    repSurveys: [],
    timeline: timelineOf(history),
  };

  const decisions = new Map<number, OfferDecision["decision"]>();
  const transferEntries = facts.entries.filter((e) => e.cause === "transferred");
  for (const event of history.routing) {
    const { payload } = event;
    if (payload?.$case === "offerCreated") {
      const decision = payload.offerCreated.decision;
      decisions.set(event.epoch, {
        strategy: routingStrategyToJSON(decision?.strategy ?? 0),
        trigger: decision?.trigger ?? "",
        candidatesConsidered: decision?.candidatesConsidered ?? 0,
        winningScore: decision?.winningScore ?? 0,
        tieBreak: decision?.tieBreak ?? "",
      });
    } else if (payload?.$case === "sessionTransferred") {
      const to = queueRef(payload.sessionTransferred.target);
      // A transfer to a queue opened the entry of the same time (session-timeline); its answer is the transfer's.
      const entry = to ? transferEntries.find((e) => e.enteredAtMs === event.occurredAtMs) : undefined;
      report.transfers.push({
        atMs: event.occurredAtMs,
        fromRepId: payload.sessionTransferred.fromRepId || null,
        to,
        priority: payload.sessionTransferred.priority,
        answeredByRepId: entry?.answeredByRepId ?? null,
      });
    }
  }
  report.offers = facts.offers.map((offer) => ({
    epoch: offer.epoch,
    repId: offer.repId,
    fromQueue: offer.fromQueue,
    offeredAtMs: offer.createdAtMs,
    expiresAtMs: offer.expiresAtMs,
    outcome: offer.outcome ?? "pending",
    endedAtMs: offer.endedAtMs,
    reason: offer.outcome === "abandoned" ? facts.session.abandonReason : null,
    decision: decisions.get(offer.epoch)!,
  }));

  for (const event of history.sessions) {
    const at = event.occurredAtMs;
    const { payload } = event;
    switch (payload?.$case) {
      case "sessionCreated": {
        const { customer, clientMode } = payload.sessionCreated;
        report.summary.clientMode = clientModeToJSON(clientMode);
        if (customer) report.customer = { ...customer, verifiedFields: [...customer.verifiedFields] };
        break;
      }
      case "consentRecorded":
        report.consent.push({ atMs: at, ...payload.consentRecorded });
        break;
      case "permissionChanged": {
        const changed = payload.permissionChanged;
        report.permissions.push({
          atMs: at,
          permission: permissionToJSON(changed.permission),
          application: changed.application,
          change: permissionChangeToJSON(changed.change),
          actor: actorOf(changed.actor, changed.actorId),
          requestId: changed.requestId,
        });
        break;
      }
      case "participantJoined":
        report.participants.push({
          repId: payload.participantJoined.repId,
          primary: payload.participantJoined.primary,
          joinedAtMs: at,
          leftAtMs: null,
          leftReason: null,
        });
        break;
      case "participantLeft": {
        const { repId, reason } = payload.participantLeft;
        const stay = report.participants.findLast((p) => p.repId === repId && p.leftAtMs === null);
        if (stay) {
          stay.leftAtMs = at;
          stay.leftReason = reason;
        }
        break;
      }
      case "noteAdded":
        report.notes.push({ atMs: at, repId: payload.noteAdded.repId, text: payload.noteAdded.text });
        break;
      case "chatMessageSent": {
        const { from, fromId, text } = payload.chatMessageSent;
        report.chat.push({ atMs: at, from: actorOf(from, fromId), text });
        break;
      }
      case "surveySubmitted":
        report.customerSurveys.push({ atMs: at, ...payload.surveySubmitted });
        break;
      case "repSurveySubmitted":
        report.repSurveys.push({ atMs: at, ...payload.repSurveySubmitted });
        break;
      default:
        break;
    }
  }
  return report;
}
