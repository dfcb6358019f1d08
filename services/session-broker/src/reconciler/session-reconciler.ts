import type { Logger } from "@handoff/runtime";
import type { HeldSession, SessionRouting, WaitingSession } from "@handoff/proto/acd_service";
import { AbandonReason, SessionState } from "@handoff/proto/common";
import type { SessionLifecycle } from "../commands/session-lifecycle";
import { RoutingUnavailableError } from "../domain/errors";
import { closedDrift, DriftSuspects, liveDrift, type AcdSessionView, type LiveDrift } from "../domain/routing-drift";
import { LIVE_STATES } from "../domain/session-lifecycle";
import { brokerMetrics } from "../metrics";
import { targetToProto, type AcdPort } from "../routing/acd-port";
import type { LiveSessionScan } from "../store/live-session-scan";
import type { OfferStore } from "../store/offer-store";
import type { SessionRow } from "../store/session-row";
import type { SessionChange, SessionStore } from "../store/session-store";
import { sessionWaiting } from "../events/session-payloads";

export interface SessionReconcilerOptions {
  /** Pause between passes. @default 5_000 */
  intervalMs?: number;
  /** Sessions per BatchGetSessionRouting and per RebuildQueues call (the acd takes at most 1,000). @default 1_000 */
  chunk?: number;
  /** Live sessions compared per pass over all sites; a site larger than that resumes where it stopped. @default 20_000 */
  maxLivePerPass?: number;
  /** `created` sessions enqueued per pass. @default 1_000 */
  maxCreatedPerPass?: number;
  /** Outbox rows read per pass looking for closed sessions. @default 20_000 */
  closedRowsPerPass?: number;
  /** How long a disagreement must last before it is repaired (see DriftSuspects). @default 2_000 */
  settleMs?: number;
}

/** The repairs of one pass, by kind (the `kind` attribute of brokerMetrics.reconcilerRepairs). */
type RepairKind =
  | "enqueued_created"
  | "rebuilt_waiting"
  | "rebuilt_held"
  | "requeued_in_acd"
  | "withdrew_offer"
  | "ended_in_acd"
  | "abandoned_in_acd"
  | "mismatch";

const ACD_STATES: Partial<Record<SessionState, AcdSessionView["state"]>> = {
  [SessionState.SESSION_STATE_WAITING]: "waiting",
  [SessionState.SESSION_STATE_OFFERED]: "offered",
  [SessionState.SESSION_STATE_ACTIVE]: "active",
  [SessionState.SESSION_STATE_ENDED]: "ended",
  [SessionState.SESSION_STATE_ABANDONED]: "abandoned",
};

const UNKNOWN: AcdSessionView = { known: false, state: "unknown", repId: "", epoch: 0 };

const viewOf = (routing: SessionRouting): AcdSessionView =>
  routing.known
    ? { known: true, state: ACD_STATES[routing.state] ?? "unknown", repId: routing.repId, epoch: routing.epoch }
    : UNKNOWN;

const queueOf = (row: SessionRow) => (row.target.id ? targetToProto(row.target) : undefined);

/** Withdraws the offer a session holds in PostgreSQL (the acd no longer has it); true when there was one. */
async function withdrawOffer(c: SessionChange, offers: OfferStore): Promise<boolean> {
  if (c.row.state !== "offered" || !c.row.repId) return false;
  await offers.settle(c.tx, c.row.siteId, c.row.sessionId, c.row.epoch, "withdrawn");
  c.emit({
    $case: "sessionOfferLapsed",
    sessionOfferLapsed: { repId: c.row.repId, epoch: c.row.epoch, outcome: "withdrawn" },
  });
  c.set({ state: "waiting", repId: null, offerExpiresAtMs: null });
  return true;
}

class PassRepairs {
  readonly byKind: Partial<Record<RepairKind, number>> = {};
  total = 0;

  add(kind: RepairKind, count = 1): void {
    if (count <= 0) return;
    this.byKind[kind] = (this.byKind[kind] ?? 0) + count;
    this.total += count;
    brokerMetrics.reconcilerRepairs.add(count, { kind });
  }
}

/**
 * Leader duty: keeps the acd (Redis, fast but losable) in step with PostgreSQL (the truth).
 *
 * Each pass, bounded in every step:
 * 1. sessions left `created` because the acd did not answer are enqueued (idempotent in the acd);
 * 2. the live sessions of every site that has any are compared with the acd, 1,000 per
 *    BatchGetSessionRouting, and lasting disagreements repaired (domain/routing-drift.ts): sessions
 *    the acd lost are rebuilt — waiting ones at their original place with the highest epoch known,
 *    active ones held as their rep's load —, an assignment the acd holds that PostgreSQL never
 *    committed is re-queued in the acd, and an offer PostgreSQL holds that the acd does not (it says
 *    waiting) is withdrawn in PostgreSQL;
 * 3. sessions closed since the last pass (the outbox's `sessionClosed` rows) that the acd still holds
 *    are ended or abandoned there.
 * Work follows live sessions and recent traffic, never the whole history. A pass that repaired
 * something logs one line with the counts.
 */
export class SessionReconciler {
  private readonly intervalMs: number;
  private readonly chunk: number;
  private readonly maxLivePerPass: number;
  private readonly maxCreatedPerPass: number;
  private readonly closedRowsPerPass: number;
  private readonly settleMs: number;
  private readonly suspects: DriftSuspects;
  /** Per site, the session id the live comparison resumes after (sites larger than one pass). */
  private readonly resumeAfter = new Map<string, string>();
  private siteTurn = 0;
  private outboxCursor: number | undefined;

  constructor(
    private readonly store: SessionStore,
    private readonly scan: LiveSessionScan,
    private readonly offers: OfferStore,
    private readonly lifecycle: SessionLifecycle,
    private readonly acd: AcdPort,
    private readonly logger: Logger,
    options: SessionReconcilerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 5_000;
    this.chunk = Math.min(options.chunk ?? 1_000, 1_000);
    this.maxLivePerPass = options.maxLivePerPass ?? 20_000;
    this.maxCreatedPerPass = options.maxCreatedPerPass ?? 1_000;
    this.closedRowsPerPass = options.closedRowsPerPass ?? 20_000;
    this.settleMs = options.settleMs ?? 2_000;
    this.suspects = new DriftSuspects(this.settleMs);
  }

  /** One pass; returns the pause before the next. */
  async passOnce(): Promise<number> {
    const started = Date.now();
    const repairs = new PassRepairs();
    try {
      if (await this.enqueueCreated(repairs)) {
        await this.compareLive(repairs);
        await this.checkClosed(repairs);
      }
    } catch (error) {
      if (!(error instanceof RoutingUnavailableError)) throw error;
      this.logger.warn("reconciler: the acd did not answer; next pass in a moment");
    } finally {
      if (repairs.total > 0)
        this.logger.info({ repairs: repairs.byKind, ms: Date.now() - started }, "reconciler repaired drift");
    }
    return Math.max(0, this.intervalMs - (Date.now() - started));
  }

  /** Step 1. Returns false when the acd does not answer (nothing else can be compared then). */
  private async enqueueCreated(repairs: PassRepairs): Promise<boolean> {
    const nowMs = Date.now();
    let budget = this.maxCreatedPerPass;
    for (const siteId of await this.store.sitesWith(["created"])) {
      if (budget <= 0) break;
      if (!(await this.acdKnowsSite(siteId))) continue;
      for (const row of await this.store.sessionsInStates(siteId, ["created"], budget)) {
        // A fresh one is being enqueued by its own CreateSession right now.
        if (nowMs - row.createdAtMs < this.settleMs) continue;
        budget--;
        try {
          const { row: after } = await this.lifecycle.enqueueCreated(row);
          if (after.state === "created") return false;
          repairs.add("enqueued_created");
        } catch (error) {
          this.logger.warn({ err: error, siteId, sessionId: row.sessionId }, "reconciler could not enqueue a session");
        }
      }
    }
    return true;
  }

  /** Step 2, over the sites in turn so that none waits behind a large one for ever. */
  private async compareLive(repairs: PassRepairs): Promise<void> {
    const sites = (await this.store.sitesWith(LIVE_STATES)).sort();
    let budget = this.maxLivePerPass;
    const first = sites.length > 0 ? this.siteTurn++ % sites.length : 0;
    for (let i = 0; i < sites.length && budget > 0; i++) {
      const siteId = sites[(first + i) % sites.length]!;
      try {
        let after = this.resumeAfter.get(siteId) ?? "";
        this.resumeAfter.delete(siteId);
        while (budget > 0) {
          const limit = Math.min(this.chunk, budget);
          const rows = await this.scan.livePage(siteId, after, limit);
          budget -= rows.length;
          if (rows.length > 0) await this.compareChunk(siteId, rows, repairs);
          if (rows.length < limit) break;
          after = rows[rows.length - 1]!.sessionId;
          if (budget <= 0) this.resumeAfter.set(siteId, after);
        }
      } catch (error) {
        if (error instanceof RoutingUnavailableError) throw error;
        this.logger.warn({ err: error, siteId }, "reconciler could not compare a site");
      }
    }
    this.suspects.forgetOlderThan(Date.now() - 10 * Math.max(this.intervalMs, this.settleMs));
  }

  private async compareChunk(siteId: string, rows: readonly SessionRow[], repairs: PassRepairs): Promise<void> {
    const response = await this.acd.batchRouting(
      siteId,
      rows.map((r) => r.sessionId),
    );
    const views = new Map(response.sessions.map((s) => [s.sessionId, viewOf(s)]));
    const nowMs = Date.now();
    const due: Record<Exclude<LiveDrift, "none">, { row: SessionRow; view: AcdSessionView }[]> = {
      rebuild_waiting: [],
      rebuild_held: [],
      requeue_in_acd: [],
      withdraw_offer: [],
      mismatch: [],
    };
    for (const row of rows) {
      const view = views.get(row.sessionId) ?? UNKNOWN;
      const drift = liveDrift(row.state, view);
      const key = `${siteId}\n${row.sessionId}`;
      if (drift === "none") {
        this.suspects.clear(key);
        continue;
      }
      const signature = [row.state, row.lastSequence, view.known, view.state, view.epoch, view.repId].join("|");
      if (!this.suspects.confirm(key, signature, nowMs)) continue;
      this.suspects.clear(key);
      due[drift].push({ row, view });
    }
    const rebuilds = due.rebuild_waiting.length + due.rebuild_held.length;
    // Nothing can be queued before the site's config is back (and another acd's sites are not ours).
    if (rebuilds > 0 && !(await this.acdKnowsSite(siteId))) {
      due.rebuild_waiting = [];
      due.rebuild_held = [];
    }
    if (due.rebuild_waiting.length > 0)
      await this.rebuildWaiting(
        siteId,
        due.rebuild_waiting.map((d) => d.row),
        repairs,
      );
    if (due.rebuild_held.length > 0)
      await this.rebuildHeld(
        siteId,
        due.rebuild_held.map((d) => d.row),
        repairs,
      );
    for (const { row, view } of due.requeue_in_acd) await this.requeueInAcd(row, view, repairs);
    for (const { row } of due.withdraw_offer) await this.withdrawLostOffer(row, repairs);
    for (const { row, view } of due.mismatch) {
      repairs.add("mismatch");
      this.logger.warn(
        { siteId, sessionId: row.sessionId, state: row.state, repId: row.repId, acd: view },
        "reconciler: the acd disagrees with PostgreSQL in a way no acd call repairs",
      );
    }
  }

  /** Waiting and offered sessions the acd lost go back into their queues at their original place. */
  private async rebuildWaiting(siteId: string, rows: readonly SessionRow[], repairs: PassRepairs): Promise<void> {
    const sessions: WaitingSession[] = rows.map((row) => ({
      sessionId: row.sessionId,
      target: queueOf(row),
      problemTypeId: row.problemTypeId,
      priority: row.priority,
      requiredSkills: row.requiredSkills,
      enqueuedAtMs: row.enqueuedAtMs,
      // The acd continues above it, so no fencing token already used can be offered again.
      epoch: Math.max(row.epoch, row.committedEpoch),
    }));
    const response = await this.acd.rebuild(siteId, sessions, []);
    repairs.add("rebuilt_waiting", response.restored);
    // Customers away keeping their place are away again (the acd lost the flag with the rest). A
    // rebuild matches at once, so one of them may be offered before this: that offer stays, as one
    // made before he left would.
    for (const row of rows)
      if (row.away) await this.acd.setAway(siteId, row.sessionId, true, row.awayVersion).catch(() => undefined);
    for (const row of rows) await this.recordRebuilt(row);
  }

  /**
   * The history says what happened: an offer the acd lost is withdrawn, and the session waits again
   * ("rebuilt"). Skipped when the session changed since it was read (a new offer already arrived).
   */
  private async recordRebuilt(row: SessionRow): Promise<void> {
    await this.store.change(row.siteId, row.sessionId, async (c) => {
      if (c.row.lastSequence !== row.lastSequence) return;
      await withdrawOffer(c, this.offers);
      if (c.row.state !== "waiting") return;
      c.emit(sessionWaiting(c.row, "rebuilt"));
    });
  }

  /**
   * An offer PostgreSQL recorded and the acd, holding the session as waiting, no longer has (a rebuild
   * that found it changed, an OfferExpired lost): withdrawn, the session waits. Skipped when the
   * session changed since it was read.
   */
  private async withdrawLostOffer(row: SessionRow, repairs: PassRepairs): Promise<void> {
    let withdrawn = false;
    await this.store.change(row.siteId, row.sessionId, async (c) => {
      if (c.row.lastSequence !== row.lastSequence) return;
      withdrawn = await withdrawOffer(c, this.offers);
    });
    if (withdrawn) repairs.add("withdrew_offer");
  }

  /** Active sessions the acd lost are held again for their rep, so they count as his load. */
  private async rebuildHeld(siteId: string, rows: readonly SessionRow[], repairs: PassRepairs): Promise<void> {
    const held: HeldSession[] = rows.flatMap((row) =>
      row.repId
        ? [
            {
              sessionId: row.sessionId,
              repId: row.repId,
              epoch: row.committedEpoch,
              target: queueOf(row),
              priority: row.priority,
              enqueuedAtMs: row.enqueuedAtMs,
            },
          ]
        : [],
    );
    if (held.length === 0) return;
    const response = await this.acd.rebuild(siteId, [], held);
    repairs.add("rebuilt_held", response.heldRestored);
  }

  /** The acd assigned a session PostgreSQL never committed: it goes back into its queue at its place. */
  private async requeueInAcd(row: SessionRow, view: AcdSessionView, repairs: PassRepairs): Promise<void> {
    try {
      await this.acd.requeue(
        row.siteId,
        row.sessionId,
        view.epoch,
        row.target.id ? row.target : undefined,
        "reconciler",
      );
      repairs.add("requeued_in_acd");
    } catch (error) {
      if (error instanceof RoutingUnavailableError) throw error;
      this.logger.warn({ err: error, sessionId: row.sessionId }, "reconciler could not re-queue a session in the acd");
    }
  }

  /** Step 3: closed in PostgreSQL, still held by the acd. The cursor only moves once a batch is done. */
  private async checkClosed(repairs: PassRepairs): Promise<void> {
    this.outboxCursor ??= await this.scan.outboxStart();
    const { closed, nextAfterId } = await this.scan.closedAfter(
      this.outboxCursor,
      this.closedRowsPerPass,
      Date.now() - this.settleMs,
    );
    const bySite = new Map<string, Set<string>>();
    for (const ref of closed) bySite.set(ref.siteId, (bySite.get(ref.siteId) ?? new Set()).add(ref.sessionId));
    for (const [siteId, ids] of bySite) {
      try {
        const all = [...ids];
        for (let i = 0; i < all.length; i += this.chunk)
          await this.releaseClosed(siteId, all.slice(i, i + this.chunk), repairs);
      } catch (error) {
        if (error instanceof RoutingUnavailableError) throw error;
        this.logger.warn({ err: error, siteId }, "reconciler could not check a site's closed sessions");
      }
    }
    this.outboxCursor = nextAfterId;
  }

  private async releaseClosed(siteId: string, sessionIds: string[], repairs: PassRepairs): Promise<void> {
    const response = await this.acd.batchRouting(siteId, sessionIds);
    for (const routing of response.sessions) {
      const view = viewOf(routing);
      const drift = closedDrift(view);
      if (drift === "none") continue;
      try {
        if (drift === "end_in_acd") await this.acd.end(siteId, routing.sessionId, view.repId, view.epoch);
        else await this.acd.abandon(siteId, routing.sessionId, AbandonReason.ABANDON_REASON_CUSTOMER_LEFT);
        repairs.add(drift === "end_in_acd" ? "ended_in_acd" : "abandoned_in_acd");
      } catch (error) {
        if (error instanceof RoutingUnavailableError) throw error;
        this.logger.warn(
          { err: error, siteId, sessionId: routing.sessionId },
          "reconciler could not release a session",
        );
      }
    }
  }

  /**
   * Whether the acd has the site's routing config: after a Redis loss nothing can be queued until the
   * config is put back (the next pass does the work then). Asked only before enqueues and rebuilds.
   */
  private async acdKnowsSite(siteId: string): Promise<boolean> {
    return (await this.acd.routingConfig(siteId)) !== undefined;
  }
}
