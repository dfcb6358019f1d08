import { parseOutboxEntry, type OutboxEntry, type StreamEntry } from "@handoff/runtime";
import type { QueueTarget } from "../domain/queue-target";
import type { SessionStateName } from "./session-states";

// What the routing store's calls take and answer (routing-store.ts), and the routing outbox's entries.

/** How much one team's queue and one site may hold (config: MAX_WAITING_PER_TEAM, MAX_SESSIONS_PER_SITE). */
export interface QueueBounds {
  maxWaitingPerTeam: number;
  maxSessionsPerSite: number;
}

/** The leader's kinds of work per site: deadlines to fire and outbox entries to relay. */
export type AcdDueWork = "timers" | "relay";

export interface EnqueueInput {
  sessionId: string;
  target?: QueueTarget;
  problemTypeId: string;
  priority: number;
  requiredSkills: readonly string[];
  /** A rebuild passes the original enqueue time. */
  enqueuedAtMs?: number;
  rebuilt?: boolean;
  /** A rebuild passes the highest epoch the broker knows; the next offer's epoch is above it. */
  epoch?: number;
}

export interface Placement {
  /** Set when the session was offered at once. */
  offeredRepId?: string;
  epoch: number;
  expiresAtMs: number;
  /** 1-based; 0 when offered. */
  position: number;
  queueLength: number;
  /** True when the session was already in routing (an enqueue repeated): it kept its place. */
  existing?: boolean;
}

export interface RepCapacityInput {
  repId: string;
  version: number;
  routableCapacity: number;
  teamIds: readonly string[];
  skills: readonly string[];
  connected: boolean;
}

export interface PulledOffer {
  sessionId: string;
  epoch: number;
  expiresAtMs: number;
  from: QueueTarget;
}

/** An offer's decision record as the library writes it (library/modules/matching.lua). */
export interface StoredDecision {
  strategy?: string;
  candidatesConsidered?: number;
  winningScore?: number;
  tieBreak?: string;
  trigger?: string;
}

export interface PendingOffer extends PulledOffer {
  repId: string;
  /** Absent for an offer made before decision records were kept with the session. */
  decision?: StoredDecision;
}

/** The pending offers of some reps and the outbox id they were read at (one atomic read). */
export interface PendingOffers {
  /** Every offer made later has a greater outbox id. */
  outboxId: string;
  offers: PendingOffer[];
}

/** A session the broker holds as assigned to a rep, restored after Redis lost data. */
export interface HeldSessionInput {
  sessionId: string;
  repId: string;
  epoch: number;
  /** The queue it was answered from. */
  target: QueueTarget;
  priority: number;
  enqueuedAtMs: number;
}

/** What a requeue did: where the session waits now (or to whom it was offered at once). */
export interface Requeued {
  offeredRepId?: string;
  /** 1-based; 0 when offered. */
  position: number;
  queueLength: number;
  /** The session's epoch afterwards (the new offer's when it was offered at once). */
  epoch: number;
}

/** What a SetAwayFlag did. */
export interface AwayChange {
  /** False when a change of the same or a newer version had been applied: nothing changed. */
  applied: boolean;
  /** The flag as stored afterwards. */
  away: boolean;
  /** Set when coming back offered the session at once. */
  offeredRepId?: string;
}

/** One entry of a batch read: undefined fields when the acd holds nothing for the session. */
export interface SessionRoutingSummary {
  sessionId: string;
  known: boolean;
  state?: SessionStateName;
  target?: QueueTarget;
  epoch: number;
  repId: string;
}

export interface PositionFacts {
  state: SessionStateName;
  position: number;
  queueLength: number;
  servingCapacity: number;
  freeCapacity: number;
  epoch: number;
  handleTimesMs: number[];
}

export interface SessionRouting {
  state: SessionStateName;
  target: QueueTarget;
  priority: number;
  epoch: number;
  repId: string;
  enqueuedAtMs: number;
}

export interface RepRouting {
  known: boolean;
  routableCapacity: number;
  load: number;
  active: number;
  connected: boolean;
  notResponding: boolean;
  teamIds: string[];
  version: number;
}

export interface TeamAvailability {
  loggedIn: number;
  routable: number;
  withFreeCapacity: number;
  waiting: number;
}

/** A routing event of the outbox: keyed by session id, with the session's epoch. */
export interface RoutingOutboxEntry extends OutboxEntry {
  sessionId: string;
  epoch: number;
}
/** Reads the fields events.append (library/modules/events.lua) writes. */
export function parseRoutingEntry(raw: StreamEntry): RoutingOutboxEntry {
  const entry = parseOutboxEntry(raw);
  return { ...entry, sessionId: entry.key, epoch: Number(entry.fields.e ?? 0) };
}
