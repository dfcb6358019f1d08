import type { Logger } from "@handoff/runtime";
import type { BrokerSettingsValues } from "../domain/broker-settings";
import { disconnectOutcome, graceUntilMs, type DisconnectOutcome } from "../domain/disconnect-fallback";
import { RoutingUnavailableError } from "../domain/errors";
import { brokerMetrics } from "../metrics";
import type { AcdPort } from "../routing/acd-port";
import type { PresencePort } from "../routing/presence-port";
import type { DisconnectFlags, ExpiredGrace } from "../store/disconnect-flags";
import type { ParticipantStore } from "../store/participant-store";
import type { RepInvitationStore } from "../store/rep-invitation-store";
import { markProcessed } from "../store/processed-events";
import type { SessionRow } from "../store/session-row";
import type { SessionStore, Tx } from "../store/session-store";
import type { SettingsStore } from "../store/settings-store";
import type { PermissionCommands } from "./permission-commands";
import type { SessionLifecycle } from "./session-lifecycle";
import { sessionWaiting } from "../events/session-payloads";

/** A presence event about one rep, as far as disconnects need it. */
export interface RepPresenceFact {
  eventId: string;
  siteId: string;
  repId: string;
  occurredAtMs: number;
}

export interface RepDisconnectsOptions {
  /** Pause between sweeps when nothing more is due. @default 1_000 */
  sweepIntervalMs?: number;
  /** Expired grace periods handled per sweep. @default 200 */
  sweepBatch?: number;
}

const SYSTEM = { kind: "system", id: "", customerToken: "" } as const;

/**
 * A rep's lost connection: his active sessions are flagged with a grace period (the site's
 * `disconnectGraceMs`); if he is back in time the flag is cleared, otherwise the leader's sweep
 * applies the site's fallback rule to each session (see domain/disconnect-fallback.ts). "Back" is
 * what presence says: a presence event that shows a live connection, or, at expiry, presence's
 * count of his live connections (a heartbeat that reconnects him emits no event of its own).
 * PostgreSQL is changed first; an acd that is not told is repaired by the reconciler.
 */
export class RepDisconnects {
  private readonly sweepIntervalMs: number;
  private readonly sweepBatch: number;

  constructor(
    private readonly store: SessionStore,
    private readonly participants: ParticipantStore,
    private readonly flags: DisconnectFlags,
    private readonly settings: SettingsStore,
    private readonly lifecycle: SessionLifecycle,
    private readonly permissions: PermissionCommands,
    private readonly invitations: RepInvitationStore,
    private readonly acd: AcdPort,
    private readonly presence: PresencePort,
    private readonly logger: Logger,
    options: RepDisconnectsOptions = {},
  ) {
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1_000;
    this.sweepBatch = options.sweepBatch ?? 200;
  }

  /**
   * His last connection dropped: flags him in each of his active sessions (RepDisconnectedFlagged),
   * applied once per event (`consumer`'s processed mark commits with the flags). Returns how many.
   */
  async connectionLost(consumer: string, fact: RepPresenceFact): Promise<number> {
    const { siteId, repId } = fact;
    const sessionIds = await this.flags.unflaggedActiveSessions(this.store.pool, siteId, repId);
    if (sessionIds.length === 0) return 0;
    const { settings } = await this.settings.get(siteId);
    const nowMs = Date.now();
    const disconnectedAtMs = fact.occurredAtMs > 0 ? Math.min(fact.occurredAtMs, nowMs) : nowMs;
    const until = graceUntilMs(nowMs, settings);
    return this.store.transaction(async (tx) => {
      if (!(await markProcessed(tx, consumer, fact.eventId, nowMs))) return 0;
      let flagged = 0;
      for (const sessionId of sessionIds) {
        await this.store.changeIn(tx, siteId, sessionId, async (c) => {
          if (c.row.state !== "active") return;
          if (!(await this.flags.flag(c.tx, siteId, sessionId, repId, disconnectedAtMs, until))) return;
          c.emit({ $case: "repDisconnectedFlagged", repDisconnectedFlagged: { repId, graceUntilMs: until } });
          flagged++;
        });
      }
      return flagged;
    });
  }

  /**
   * A presence event that may mean he is connected again (a login, a state change, a dropped
   * connection with others still live). When he is flagged somewhere and has a live connection
   * (`knownLive`, or presence's count), his flags are cleared (RepReconnected). Returns how many.
   */
  async maybeBack(consumer: string, fact: RepPresenceFact, knownLive: boolean): Promise<number> {
    const { siteId, repId } = fact;
    const sessionIds = await this.flags.flaggedSessions(this.store.pool, siteId, repId);
    if (sessionIds.length === 0) return 0;
    const live = knownLive ? 1 : await this.presence.liveConnections(siteId, repId);
    // Not (yet) connected, or presence does not answer: the sweep asks again at expiry.
    if (!live) return 0;
    return this.store.transaction(async (tx) => {
      if (!(await markProcessed(tx, consumer, fact.eventId, Date.now()))) return 0;
      return this.clearIn(tx, siteId, repId, sessionIds);
    });
  }

  private async clearIn(tx: Tx, siteId: string, repId: string, sessionIds: readonly string[]): Promise<number> {
    let cleared = 0;
    for (const sessionId of sessionIds) {
      await this.store.changeIn(tx, siteId, sessionId, async (c) => {
        if (!(await this.flags.clear(c.tx, siteId, sessionId, repId))) return;
        c.emit({ $case: "repReconnected", repReconnected: { repId } });
        cleared++;
      });
    }
    return cleared;
  }

  /**
   * Leader duty: grace periods that ended, oldest first and bounded per pass. Each rep is asked
   * about once per pass; the ones back are cleared, the others' sessions get the fallback. Returns
   * the pause before the next pass (0 while more are due).
   */
  async sweepOnce(): Promise<number> {
    const expired = await this.flags.expired(Date.now(), this.sweepBatch);
    const byRep = new Map<string, ExpiredGrace[]>();
    for (const grace of expired) {
      const key = `${grace.siteId}\n${grace.repId}`;
      byRep.set(key, [...(byRep.get(key) ?? []), grace]);
    }
    const settingsOfSite = new Map<string, BrokerSettingsValues>();
    let handled = 0;
    for (const graces of byRep.values()) {
      const { siteId, repId } = graces[0]!;
      try {
        if (!(await this.acdKnowsSite(siteId))) continue;
        const live = await this.presence.liveConnections(siteId, repId);
        if (live === undefined) {
          this.logger.warn({ siteId, repId }, "presence did not answer: the disconnect fallback waits");
          continue;
        }
        if (live > 0) {
          await this.store.transaction((tx) =>
            this.clearIn(
              tx,
              siteId,
              repId,
              graces.map((g) => g.sessionId),
            ),
          );
          handled += graces.length;
          continue;
        }
        let settings = settingsOfSite.get(siteId);
        if (!settings) {
          settings = (await this.settings.get(siteId)).settings;
          settingsOfSite.set(siteId, settings);
        }
        for (const grace of graces) {
          await this.fallBack(grace, settings);
          handled++;
        }
      } catch (error) {
        this.logger.warn({ err: error, siteId, repId }, "disconnect fallback failed; retried on the next sweep");
      }
    }
    return expired.length === this.sweepBatch && handled > 0 ? 0 : this.sweepIntervalMs;
  }

  /**
   * A site the acd has no routing config for is left alone: after its Redis lost data the config
   * must be put back first, presence lost every rep too (so it cannot tell who is back), and a
   * re-queue could not be carried out.
   */
  private async acdKnowsSite(siteId: string): Promise<boolean> {
    try {
      return (await this.acd.routingConfig(siteId)) !== undefined;
    } catch (error) {
      if (error instanceof RoutingUnavailableError) return false;
      throw error;
    }
  }

  /** The site's rule for one session whose rep is still flagged and past his grace period. */
  private async fallBack(grace: ExpiredGrace, settings: BrokerSettingsValues): Promise<void> {
    const { siteId, sessionId, repId } = grace;
    const { result: applied } = await this.store.change(siteId, sessionId, async (c) => {
      if (c.row.state !== "active") return undefined;
      if (!(await this.flags.isExpired(c.tx, siteId, sessionId, repId, c.nowMs))) return undefined;
      const present = await this.participants.present(c.tx, siteId, sessionId);
      const outcome = disconnectOutcome(settings, c.row, repId, present);
      switch (outcome.rule) {
        case "hand_over":
          // As when he leaves himself: his unanswered permission requests lapse.
          await this.permissions.releaseIn(c, [repId]);
          await this.participants.leave(c.tx, siteId, sessionId, repId, c.nowMs);
          c.emit({ $case: "participantLeft", participantLeft: { repId, reason: "disconnected" } });
          if (outcome.toRepId) {
            await this.participants.setPrimary(c.tx, siteId, sessionId, outcome.toRepId);
            c.set({ repId: outcome.toRepId });
            c.emit({ $case: "controlHandedOver", controlHandedOver: { fromRepId: repId, toRepId: outcome.toRepId } });
          }
          break;
        case "end":
          await this.lifecycle.closeIn(c, SYSTEM, "rep_disconnected");
          break;
        default:
          // As when the last rep leaves: every grant is revoked, open invitations lapse.
          await this.permissions.releaseIn(c, "everyone");
          await this.invitations.cancelPending(c.tx, siteId, sessionId, c.nowMs);
          for (const left of await this.participants.leaveAll(c.tx, siteId, sessionId, c.nowMs))
            c.emit({
              $case: "participantLeft",
              participantLeft: { repId: left, reason: left === repId ? "disconnected" : "left" },
            });
          c.set({ state: "waiting", repId: null, target: outcome.target, offerExpiresAtMs: null });
          c.emit(sessionWaiting(c.row, "rep_disconnected", repId));
      }
      return { outcome, previous: c.before };
    });
    if (!applied) return;
    brokerMetrics.disconnectFallbacks.add(1, { rule: applied.outcome.rule });
    this.logger.info({ siteId, sessionId, repId, rule: applied.outcome.rule }, "disconnected rep's fallback applied");
    await this.tellAcd(applied.outcome, applied.previous, repId);
  }

  /** The acd follows what PostgreSQL committed (best effort: the reconciler repairs a miss). */
  private async tellAcd(outcome: DisconnectOutcome, previous: SessionRow, repId: string): Promise<void> {
    if (outcome.rule === "hand_over") return;
    if (outcome.rule === "end") return this.lifecycle.releaseInAcd(previous);
    try {
      await this.acd.requeue(
        previous.siteId,
        previous.sessionId,
        previous.committedEpoch,
        outcome.rule === "requeue" ? undefined : outcome.target,
        "rep_disconnected",
      );
    } catch (error) {
      this.logger.warn(
        { err: error, sessionId: previous.sessionId, repId },
        "acd not told of a disconnected rep's re-queued session; the reconciler will",
      );
    }
  }
}
