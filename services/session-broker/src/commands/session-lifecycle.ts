import { randomUUID } from "node:crypto";
import type { Logger } from "@handoff/runtime";
import type { DecisionRecord, Offer } from "@handoff/proto/acd_service";
import { AbandonReason, Actor, type Customer, type QueuePosition } from "@handoff/proto/common";
import type { Consent } from "@handoff/proto/session_broker_service";
import { actorOf, checkAccess, type AccessNeed, type RequesterValue } from "../domain/access";
import type { CredentialHasher } from "../domain/credential-hash";
import { randomToken } from "../domain/credential-hash";
import {
  InvalidFieldError,
  OfferRefusedError,
  QueueFullError,
  RoutingUnavailableError,
  SessionStateConflictError,
  SiteNotRoutedError,
  StaleOfferError,
  StartKeyReusedError,
} from "../domain/errors";
import type { QueueTargetValue } from "../domain/queue-target";
import { closingOutcome, isLive, type EndReasonName } from "../domain/session-lifecycle";
import { brokerMetrics } from "../metrics";
import { targetToProto, type AcdPort } from "../routing/acd-port";
import type { OfferStore } from "../store/offer-store";
import type { PermissionCommands } from "./permission-commands";
import type { ParticipantStore } from "../store/participant-store";
import type { ClientModeName, SessionRow, StartMethodName } from "../store/session-row";
import type { SessionChange, SessionStore, Tx } from "../store/session-store";
import type { SettingsStore } from "../store/settings-store";
import type { StartKeyStore } from "../store/start-key-store";
import { clientModeToProto, endReasonToProto, sessionStateToProto, startMethodToProto } from "../store/state-mapping";
import { sessionWaiting } from "../events/session-payloads";

/** Where a new session goes, once its start method was resolved (a key or link names the queue). */
export interface SessionPlacement {
  startMethod: StartMethodName;
  target?: QueueTargetValue;
  problemTypeId: string;
  credentialId?: string;
}

export interface CreateSessionInput {
  siteId: string;
  placement: SessionPlacement;
  customer: Customer;
  consent: Consent;
  /** Intake's "the portal is closed" (only keys and invitations start sessions then). */
  portalClosed: boolean;
  clientMode: ClientModeName;
  /** Runs inside the creating transaction (a key or link is consumed with the session, or not at all). */
  consume?: (tx: Tx, sessionId: string) => Promise<void>;
  /** The client's idempotency key for this start and a digest of what it asked (see StartKeyStore). */
  startKey?: { key: string; fingerprint: Buffer };
}

export interface CreatedSession {
  row: SessionRow;
  customerToken: string;
  position?: QueuePosition;
  noRepAvailable: boolean;
  fallbackUrl: string;
  /** An earlier start with the same idempotency key made this session: it is answered as it is now. */
  repeated?: boolean;
}

/** Another start with the same idempotency key committed first: its session is the answer. */
class StartKeyTakenError extends Error {}

export interface OfferSeen {
  repId: string;
  epoch: number;
  expiresAtMs: number;
  decision?: DecisionRecord;
}

const ABANDON_BY_DEFAULT = AbandonReason.ABANDON_REASON_CUSTOMER_LEFT;
const SYSTEM: RequesterValue = { kind: "system", id: "", customerToken: "" };

/**
 * The session's lifecycle: create (PostgreSQL first, then the acd), offers seen, accept with the
 * fencing token, reject, take-next and close. PostgreSQL is the truth; where the acd cannot be told
 * at once, the reconciler repairs the difference.
 */
export class SessionLifecycle {
  constructor(
    private readonly store: SessionStore,
    private readonly participants: ParticipantStore,
    private readonly offers: OfferStore,
    private readonly settings: SettingsStore,
    private readonly acd: AcdPort,
    private readonly hasher: CredentialHasher,
    private readonly permissions: PermissionCommands,
    private readonly logger: Logger,
    private readonly startKeys: StartKeyStore,
  ) {}

  /** Checks `requester` against the session for `need`; returns the row it checked. */
  async authorize(siteId: string, sessionId: string, requester: RequesterValue, need: AccessNeed): Promise<SessionRow> {
    const row = await this.store.get(siteId, sessionId);
    const present = requester.kind === "rep" ? await this.participants.present(this.store.pool, siteId, sessionId) : [];
    checkAccess(need, requester, {
      customerTokenMatches:
        requester.kind === "customer" &&
        this.hasher.matches(row.customerTokenHash, "customer_token", siteId, requester.customerToken),
      participants: present,
    });
    return row;
  }

  /**
   * Creates a session. With an idempotency key, concurrent starts wait on the key's row in PostgreSQL:
   * one creates the session, the others answer it (`repeatedStart`). A retry is found by
   * `repeatedStart` before its key or link is checked again (the first start consumed it).
   */
  async create(input: CreateSessionInput): Promise<CreatedSession> {
    const { startKey } = input;
    try {
      return await this.createNew(input);
    } catch (error) {
      if (!(error instanceof StartKeyTakenError) || !startKey) throw error;
      const winner = await this.repeatedStart(input.siteId, startKey);
      if (!winner) throw error;
      return winner;
    }
  }

  /**
   * The session an earlier start with this idempotency key created, as it is now, with the same
   * customer token; undefined when the site has not used the key (or it expired).
   * @throws StartKeyReusedError when that start asked for something else
   */
  async repeatedStart(
    siteId: string,
    startKey: NonNullable<CreateSessionInput["startKey"]>,
  ): Promise<CreatedSession | undefined> {
    const earlier = await this.startKeys.find(siteId, startKey.key);
    if (!earlier) return undefined;
    if (!earlier.fingerprint.equals(startKey.fingerprint)) throw new StartKeyReusedError();
    const [row, { settings }] = await Promise.all([
      this.store.get(siteId, earlier.sessionId),
      this.settings.get(siteId),
    ]);
    const noRepAvailable =
      row.endReason === "no_rep_available" ||
      (isLive(row.state) && row.target.id !== "" && !(await this.someRepLoggedIn(siteId, row.target)));
    return {
      row,
      customerToken: this.startToken(siteId, row.sessionId, startKey.key),
      noRepAvailable,
      fallbackUrl: noRepAvailable ? settings.fallbackUrl : "",
      repeated: true,
    };
  }

  private startToken(siteId: string, sessionId: string, key: string): string {
    return this.hasher.derive("start_customer_token", siteId, `${sessionId}\0${key}`);
  }

  private async createNew(input: CreateSessionInput): Promise<CreatedSession> {
    const { siteId, placement, startKey } = input;
    const { settings } = await this.settings.get(siteId);
    const keyed = placement.startMethod === "session_key" || placement.startMethod === "invitation_link";
    const closed = input.portalClosed && !keyed;
    const target = placement.target ?? (await this.teamOfProblemType(siteId, placement.problemTypeId));
    if (target === null)
      throw new InvalidFieldError("problem_type_id", `${placement.problemTypeId} is not a problem type of this site`);
    const noRep = closed ? false : !(await this.someRepLoggedIn(siteId, target));
    const refused: EndReasonName | undefined = closed
      ? "portal_closed"
      : noRep && !settings.queueWhenNoRep
        ? "no_rep_available"
        : undefined;

    const sessionId = randomUUID();
    const customerToken = startKey ? this.startToken(siteId, sessionId, startKey.key) : randomToken(32);
    const nowMs = Date.now();
    const consent: Consent = { ...input.consent, recordedAtMs: nowMs };
    const created = await this.store.transaction(async (tx) => {
      // First, so a start that lost the key to a concurrent one consumes nothing before it rolls back.
      if (startKey && !(await this.startKeys.claimIn(tx, siteId, startKey.key, startKey.fingerprint, sessionId)))
        throw new StartKeyTakenError();
      await input.consume?.(tx, sessionId);
      return this.store.createIn(
        tx,
        {
          siteId,
          sessionId,
          startMethod: placement.startMethod,
          state: refused ? "ended" : "created",
          target: target ?? { kind: "team", id: "" },
          problemTypeId: placement.problemTypeId,
          priority: 0,
          requiredSkills: [],
          customer: input.customer,
          consent,
          customerTokenHash: this.hasher.hash("customer_token", siteId, customerToken),
          repId: null,
          epoch: 0,
          committedEpoch: 0,
          offerExpiresAtMs: null,
          enqueuedAtMs: nowMs,
          createdAtMs: nowMs,
          endedAtMs: refused ? nowMs : null,
          endReason: refused ?? null,
          credentialId: placement.credentialId ?? null,
          clientMode: input.clientMode,
        },
        [
          {
            $case: "sessionCreated",
            sessionCreated: {
              startMethod: startMethodToProto(placement.startMethod),
              target: targetToProto(target),
              problemTypeId: placement.problemTypeId,
              customer: input.customer,
              credentialId: placement.credentialId ?? "",
              clientMode: clientModeToProto(input.clientMode),
            },
          },
          { $case: "consentRecorded", consentRecorded: { ...input.consent } },
          ...(refused
            ? [
                {
                  $case: "sessionClosed" as const,
                  sessionClosed: {
                    finalState: sessionStateToProto("ended"),
                    actor: Actor.ACTOR_SYSTEM,
                    reason: endReasonToProto(refused),
                    actorId: "",
                    abandonReason: AbandonReason.ABANDON_REASON_UNSPECIFIED,
                  },
                },
              ]
            : []),
        ],
      );
    });
    const told = { customerToken, fallbackUrl: settings.fallbackUrl };
    if (refused) return { ...told, row: created.row, noRepAvailable: noRep };
    const enqueued = await this.enqueueCreated(created.row);
    const noRepAvailable = noRep || enqueued.refused;
    return {
      ...told,
      row: enqueued.row,
      position: enqueued.position,
      noRepAvailable,
      fallbackUrl: noRepAvailable ? settings.fallbackUrl : "",
    };
  }

  /**
   * Puts a session that is only in PostgreSQL into the acd (idempotent by session id there). When the
   * acd does not answer, or has no routing config for the site (its Redis lost it), the session stays
   * `created` for the reconciler; when it refuses the session
   * for good (its rep never logged in, its team is gone) or its queue is full (`QUEUE_FULL`), the
   * session ends as "no rep available": for the customer both mean that no rep can take him now, and
   * he is sent to the fallback at once rather than left `created` for a reconciler that would retry a
   * full queue on every pass.
   */
  async enqueueCreated(row: SessionRow): Promise<{ row: SessionRow; position?: QueuePosition; refused: boolean }> {
    let response;
    try {
      response = await this.acd.enqueue(row.siteId, {
        sessionId: row.sessionId,
        target: row.problemTypeId && !row.target.id ? undefined : row.target,
        problemTypeId: row.problemTypeId,
        priority: row.priority,
        requiredSkills: row.requiredSkills,
      });
    } catch (error) {
      if (error instanceof RoutingUnavailableError) {
        this.logger.warn(
          { siteId: row.siteId, sessionId: row.sessionId },
          "acd unavailable: session waits in PostgreSQL",
        );
        return { row, refused: false };
      }
      if (error instanceof SiteNotRoutedError) {
        this.logger.warn(
          { siteId: row.siteId, sessionId: row.sessionId },
          "the acd has no routing config for the site (did Redis lose it?): session waits in PostgreSQL until it is put again",
        );
        return { row, refused: false };
      }
      if (!(
        error instanceof InvalidFieldError ||
        error instanceof OfferRefusedError ||
        error instanceof QueueFullError
      ))
        throw error;
      this.logger.info(
        { siteId: row.siteId, sessionId: row.sessionId, reason: error.reason, detail: error.message },
        "acd refused the session",
      );
      const { row: ended } = await this.store.change(row.siteId, row.sessionId, async (c) => {
        if (c.row.state === "created") await this.closeIn(c, SYSTEM, "no_rep_available");
      });
      return { row: ended, refused: true };
    }
    const position = response.position;
    const changed = await this.store.change(row.siteId, row.sessionId, (c) => {
      if (c.row.state !== "created") return;
      c.set({ state: "waiting" });
      c.emit(sessionWaiting(c.row, "created", "", position));
    });
    return { row: changed.row, position, refused: false };
  }

  /** Records an offer the acd made (from its event stream or a pull); older or late offers are ignored. */
  async offerSeen(tx: Tx, siteId: string, sessionId: string, offer: OfferSeen): Promise<void> {
    await this.store.changeIn(tx, siteId, sessionId, async (c) => {
      await this.offers.record(c.tx, siteId, sessionId, {
        repId: offer.repId,
        epoch: offer.epoch,
        offeredAtMs: c.nowMs,
        expiresAtMs: offer.expiresAtMs,
        decision: offer.decision ?? {
          strategy: 0,
          candidatesConsidered: 0,
          winningScore: 0,
          tieBreak: "",
          trigger: "",
        },
      });
      if (offer.epoch <= c.row.epoch || !["created", "waiting", "offered"].includes(c.row.state)) return;
      c.set({ state: "offered", repId: offer.repId, epoch: offer.epoch, offerExpiresAtMs: offer.expiresAtMs });
      c.emit({
        $case: "sessionOffered",
        sessionOffered: {
          repId: offer.repId,
          epoch: offer.epoch,
          expiresAtMs: offer.expiresAtMs,
          decision: offer.decision,
        },
      });
    });
  }

  /** Records an offer from the acd's offer stream (its own transaction). */
  recordOffer(offer: Offer): Promise<void> {
    return this.store.transaction((tx) =>
      this.offerSeen(tx, offer.siteId, offer.sessionId, {
        repId: offer.repId,
        epoch: offer.epoch,
        expiresAtMs: offer.expiresAtMs,
        decision: offer.decision,
      }),
    );
  }

  /** An offer ended without an assignment: the session waits again (if that offer was the current one). */
  async offerLapsed(
    tx: Tx,
    siteId: string,
    sessionId: string,
    repId: string,
    epoch: number,
    outcome: "rejected" | "expired" | "withdrawn",
  ): Promise<void> {
    await this.store.changeIn(tx, siteId, sessionId, async (c) => {
      await this.offers.settle(c.tx, siteId, sessionId, epoch, outcome);
      if (c.row.state !== "offered" || c.row.epoch !== epoch) return;
      c.set({ state: "waiting", repId: null, offerExpiresAtMs: null });
      c.emit({ $case: "sessionOfferLapsed", sessionOfferLapsed: { repId, epoch, outcome } });
    });
  }

  /**
   * Accepts an offer: the acd first (it checks the offer and its deadline), then PostgreSQL commits
   * the assignment only if `epoch` is newer than any committed one. A stale or duplicated accept is
   * refused and counted; if the commit fails after the acd accepted, the acd puts the session back at
   * its place, so neither store keeps a ghost assignment.
   */
  async accept(siteId: string, sessionId: string, repId: string, epoch: number): Promise<SessionRow> {
    const current = await this.store.get(siteId, sessionId);
    if (current.committedEpoch >= epoch)
      throw this.refused(new StaleOfferError(sessionId, epoch, "is already settled"));
    if (!isLive(current.state) || current.state === "active")
      throw this.refused(new SessionStateConflictError(sessionId, current.state, "has no open offer"));
    try {
      await this.acd.accept(siteId, sessionId, repId, epoch);
    } catch (error) {
      if (error instanceof OfferRefusedError) throw this.refused(error);
      throw error;
    }
    try {
      const { row } = await this.store.change(siteId, sessionId, async (c) => {
        if (c.row.committedEpoch >= epoch) throw new StaleOfferError(sessionId, epoch, "was accepted already");
        if (!isLive(c.row.state) || c.row.state === "active")
          throw new SessionStateConflictError(sessionId, c.row.state, "has no open offer");
        await this.assign(c, repId, epoch);
      });
      return row;
    } catch (error) {
      if (error instanceof StaleOfferError) throw this.refused(error);
      await this.undoAcceptedOffer(siteId, sessionId, repId, epoch, error);
      throw error;
    }
  }

  private async assign(c: SessionChange, repId: string, epoch: number): Promise<void> {
    c.set({
      state: "active",
      repId,
      epoch: Math.max(c.row.epoch, epoch),
      committedEpoch: epoch,
      offerExpiresAtMs: null,
      // Served (an offer made before he left was accepted; the acd's accept ends its flag too).
      ...(c.row.away ? { away: false, calledBackAtMs: null, returnByMs: null, resumeTokenHash: null } : {}),
    });
    await this.offers.settle(c.tx, c.row.siteId, c.row.sessionId, epoch, "accepted");
    await this.participants.join(c.tx, c.row.siteId, c.row.sessionId, repId, true, c.nowMs);
    c.emit({
      $case: "sessionAssigned",
      sessionAssigned: { repId, epoch, waitedMs: Math.max(0, c.nowMs - c.row.enqueuedAtMs) },
    });
    c.emit({ $case: "participantJoined", participantJoined: { repId, primary: true } });
  }

  /** The acd accepted but PostgreSQL did not commit: ended sessions end in the acd, others go back. */
  private async undoAcceptedOffer(
    siteId: string,
    sessionId: string,
    repId: string,
    epoch: number,
    cause: unknown,
  ): Promise<void> {
    brokerMetrics.rolledBackAssignments.add(1);
    this.logger.warn(
      { err: cause, siteId, sessionId, epoch },
      "assignment not committed: returning the session to the acd",
    );
    const row = await this.store.find(siteId, sessionId).catch(() => undefined);
    try {
      if (row && !isLive(row.state)) return await this.acd.end(siteId, sessionId, repId, epoch);
      const requeued = await this.acd.requeue(siteId, sessionId, epoch, undefined, "commit_failed");
      await this.store.transaction((tx) => this.requeuedByAcd(tx, siteId, sessionId, requeued.epoch, "commit_failed"));
    } catch (error) {
      // The reconciler sees the acd holding an assignment PostgreSQL does not and repairs it.
      this.logger.warn(
        { err: error, siteId, sessionId },
        "could not return the session to the acd; the reconciler will",
      );
    }
  }

  /**
   * The acd put an offered session back in its queue (after an assignment that could not be
   * committed): it waits again. Active sessions are transferred and re-queued by the broker itself.
   */
  async requeuedByAcd(tx: Tx, siteId: string, sessionId: string, epoch: number, reason: string): Promise<void> {
    await this.store.changeIn(tx, siteId, sessionId, async (c) => {
      if (c.row.state !== "offered" || epoch <= c.row.epoch) return;
      await this.offers.settle(c.tx, siteId, sessionId, c.row.epoch, "withdrawn");
      const fromRepId = c.row.repId ?? "";
      c.set({ state: "waiting", repId: null, epoch, offerExpiresAtMs: null });
      c.emit(sessionWaiting(c.row, reason, fromRepId));
    });
  }

  private refused(error: Error): Error {
    brokerMetrics.refusedAccepts.add(1, { reason: (error as { reason?: string }).reason ?? "unknown" });
    return error;
  }

  async reject(siteId: string, sessionId: string, repId: string, epoch: number): Promise<void> {
    await this.acd.reject(siteId, sessionId, repId, epoch);
    await this.store.transaction((tx) => this.offerLapsed(tx, siteId, sessionId, repId, epoch, "rejected"));
  }

  /** The rep takes the next session of his queues: the acd offers it to him and he accepts at once. */
  async takeNext(siteId: string, repId: string): Promise<SessionRow | undefined> {
    const offer = await this.acd.pull(siteId, repId);
    if (!offer) return undefined;
    const known = await this.store.find(siteId, offer.sessionId);
    if (!known) {
      // A session the broker does not own (created directly in the acd): not ours to assign.
      await this.acd.reject(siteId, offer.sessionId, repId, offer.epoch).catch(() => undefined);
      return undefined;
    }
    await this.recordOffer(offer);
    return this.accept(siteId, offer.sessionId, repId, offer.epoch);
  }

  /**
   * Ends a session for `requester`: PostgreSQL first (the truth, with the reason), then the acd
   * (abandon while waiting, end when answered). An acd that does not answer is repaired later by the
   * reconciler. Closing a closed session changes nothing.
   */
  async close(
    siteId: string,
    sessionId: string,
    requester: RequesterValue,
    requested: EndReasonName | undefined,
    abandonReason: AbandonReason = ABANDON_BY_DEFAULT,
  ): Promise<SessionRow> {
    const before = await this.authorize(
      siteId,
      sessionId,
      requester,
      requester.kind === "customer" ? "customer" : "participant",
    );
    if (!isLive(before.state)) return before;
    const { row, result: previous } = await this.store.change(siteId, sessionId, async (c) => {
      const previous = c.row;
      if (!isLive(previous.state)) return previous;
      await this.closeIn(c, requester, requested, abandonReason);
      return previous;
    });
    if (isLive(previous.state)) await this.releaseInAcd(previous, abandonReason);
    return row;
  }

  /** The close itself, inside a change (also used by the disconnect fallback and the reconciler). */
  async closeIn(
    c: SessionChange,
    requester: RequesterValue,
    requested: EndReasonName | undefined,
    abandonReason: AbandonReason = ABANDON_BY_DEFAULT,
  ): Promise<void> {
    const outcome = closingOutcome(c.row.state, requester.kind, requested);
    // The customer granted his desktop to the reps of this session: nothing outlives its end.
    await this.permissions.releaseIn(c, "everyone");
    for (const repId of await this.participants.leaveAll(c.tx, c.row.siteId, c.row.sessionId, c.nowMs))
      c.emit({ $case: "participantLeft", participantLeft: { repId, reason: "ended" } });
    if (c.row.state === "offered")
      await this.offers.settle(c.tx, c.row.siteId, c.row.sessionId, c.row.epoch, "withdrawn");
    // An away customer's return deadline ends with the session (the away sweep reads only live ones).
    c.set({
      state: outcome.state,
      endReason: outcome.reason,
      endedAtMs: c.nowMs,
      offerExpiresAtMs: null,
      returnByMs: null,
    });
    c.emit({
      $case: "sessionClosed",
      sessionClosed: {
        finalState: sessionStateToProto(outcome.state),
        actor: actorOf(requester),
        actorId: requester.id,
        reason: endReasonToProto(outcome.reason),
        abandonReason: outcome.state === "abandoned" ? abandonReason : AbandonReason.ABANDON_REASON_UNSPECIFIED,
      },
    });
  }

  /**
   * The rep the acd holds an active session for, which an end must name: the primary, since a
   * hand-over moves the acd's holder too (ParticipantCommands.handOverIn; a rebuild restores the
   * primary). A mismatch (a hand-over from before the acd counted them) is refused as WRONG_REP and
   * the reconciler ends it with the acd's own rep.
   */
  private acdRepOf(row: SessionRow): string {
    return row.repId ?? "";
  }

  /** Tells the acd a session PostgreSQL closed (best effort; the reconciler repairs a miss). */
  async releaseInAcd(previous: SessionRow, abandonReason: AbandonReason = ABANDON_BY_DEFAULT): Promise<void> {
    try {
      if (previous.state === "active")
        await this.acd.end(previous.siteId, previous.sessionId, this.acdRepOf(previous), previous.committedEpoch);
      else await this.acd.abandon(previous.siteId, previous.sessionId, abandonReason);
    } catch (error) {
      this.logger.warn(
        { err: error, sessionId: previous.sessionId },
        "acd not told of a closed session; the reconciler will",
      );
    }
  }

  /**
   * The team of a problem type; null when the site's config does not have it, undefined when that
   * cannot be known now (the acd does not answer, or lost the config: the session is queued by problem
   * type later).
   */
  private async teamOfProblemType(siteId: string, problemTypeId: string): Promise<QueueTargetValue | null | undefined> {
    if (!problemTypeId) return undefined;
    let config;
    try {
      config = await this.acd.routingConfig(siteId);
    } catch (error) {
      if (error instanceof RoutingUnavailableError) return undefined;
      throw error;
    }
    // No config (Redis lost it, the runbook puts it again): the acd resolves the problem type at enqueue.
    if (!config) return undefined;
    const teamId = config.problemTypes.find((p) => p.id === problemTypeId)?.teamId;
    return teamId ? { kind: "team", id: teamId } : null;
  }

  /**
   * Whether an eligible rep is logged in for the target: a team with a logged-in member, or the named
   * rep connected. An acd that does not answer counts as yes: the session queues and is told later.
   */
  private async someRepLoggedIn(siteId: string, target: QueueTargetValue | undefined): Promise<boolean> {
    if (!target) return true;
    try {
      if (target.kind === "team") return (await this.acd.teamAvailability(siteId, target.id)).loggedIn > 0;
      const rep = await this.acd.repRouting(siteId, target.id);
      return rep.known && rep.connected && rep.teamIds.length > 0;
    } catch (error) {
      if (error instanceof RoutingUnavailableError || error instanceof SiteNotRoutedError) return true;
      throw error;
    }
  }
}
