import { randomUUID } from "node:crypto";
import type { QueuePosition } from "@handoff/proto/common";
import type { RequesterValue } from "../domain/access";
import {
  InvalidFieldError,
  OfferRefusedError,
  SessionLimitReachedError,
  UnknownReferenceError,
} from "../domain/errors";
import { handOverTarget, leaveOutcome } from "../domain/participant-rules";
import type { QueueTargetValue } from "../domain/queue-target";
import { answerInvitation, MAX_PENDING_INVITATIONS } from "../domain/rep-invitation";
import { targetToProto, type AcdPort } from "../routing/acd-port";
import type { ParticipantStore } from "../store/participant-store";
import type { RepInvitationStore } from "../store/rep-invitation-store";
import type { SessionRow } from "../store/session-row";
import type { SessionChange, SessionStore } from "../store/session-store";
import type { PermissionCommands } from "./permission-commands";
import { onlyRequesters, requireActive, type SessionAccess } from "./session-access";
import { sessionWaiting } from "../events/session-payloads";

/**
 * The reps of an active session: the primary (who has control, and whom the acd counts it against),
 * invited reps, hand-over of control, transfer to another queue, and leaving.
 *
 * Transfers and the last rep's leave call the acd while the session's row is locked: the acd may
 * offer the session at once, and the routing-event consumer then waits for this change to commit, so
 * it sees the session waiting and records the offer. If the acd refuses or does not answer, nothing
 * is committed.
 */
export class ParticipantCommands {
  constructor(
    private readonly store: SessionStore,
    private readonly participants: ParticipantStore,
    private readonly invitations: RepInvitationStore,
    private readonly permissions: PermissionCommands,
    private readonly access: SessionAccess,
    private readonly acd: AcdPort,
  ) {}

  /**
   * The primary sends the session to a team or a rep's queue through the acd (fenced with the
   * committed epoch); every rep leaves and the session waits again, keeping its history.
   */
  async transfer(
    siteId: string,
    sessionId: string,
    requester: RequesterValue,
    target: QueueTargetValue,
  ): Promise<QueuePosition | undefined> {
    const { result } = await this.store.change(siteId, sessionId, async (c) => {
      const present = await this.access.check(c, requester, "primary");
      requireActive(c, "only an active session can be transferred");
      if (target.kind === "rep" && present.some((p) => p.repId === target.id))
        throw new InvalidFieldError("target.rep_id", "is in this session already");
      const fromRepId = c.row.repId ?? "";
      const { position } = await this.acd.transfer(siteId, sessionId, c.row.committedEpoch, target);
      await this.vacate(c, "transferred");
      c.set({ state: "waiting", target, repId: null, offerExpiresAtMs: null });
      c.emit(sessionWaiting(c.row, "transferred", fromRepId, position));
      return position;
    });
    return result;
  }

  /** A participant invites a named rep, or anyone of a team; returns the invitation's id. */
  async invite(siteId: string, sessionId: string, requester: RequesterValue, invitee: QueueTargetValue) {
    await this.checkInvitee(siteId, invitee);
    const { result } = await this.store.change(siteId, sessionId, async (c) => {
      const present = await this.access.check(c, requester, "participant");
      requireActive(c, "reps are invited into an active session");
      if (invitee.kind === "rep" && present.some((p) => p.repId === invitee.id))
        throw new InvalidFieldError("invitee.rep_id", "is in this session already");
      const pending = await this.invitations.pending(c.tx, siteId, sessionId);
      const same = pending.find((i) => i.invitee.kind === invitee.kind && i.invitee.id === invitee.id);
      if (same) return same.invitationId;
      if (pending.length >= MAX_PENDING_INVITATIONS)
        throw new SessionLimitReachedError(`at most ${MAX_PENDING_INVITATIONS} open invitations`);
      const invitationId = randomUUID();
      await this.invitations.insert(
        c.tx,
        siteId,
        sessionId,
        { invitationId, invitee, invitedBy: requester.id, state: "pending" },
        c.nowMs,
      );
      c.emit({
        $case: "repInvited",
        repInvited: { invitationId, byRepId: requester.id, invitee: targetToProto(invitee) },
      });
      return invitationId;
    });
    return result;
  }

  /** The invited rep (or, for a team, one of its members) accepts and joins, or declines. */
  async answerInvitation(
    siteId: string,
    sessionId: string,
    invitationId: string,
    requester: RequesterValue,
    accepted: boolean,
  ): Promise<SessionRow> {
    // An invitation's invitee never changes: the team's members are read before the lock is taken.
    const teamMemberIds = await this.teamMembersFor(siteId, sessionId, invitationId);
    const { row } = await this.store.change(siteId, sessionId, async (c) => {
      onlyRequesters(requester, ["rep"], "the invited rep answers an invitation");
      const present = await this.access.check(c, requester, "staff");
      const invitation = await this.invitations.find(c.tx, siteId, sessionId, invitationId);
      if (!invitation)
        throw new UnknownReferenceError("invitation_id", `no invitation ${invitationId} in this session`);
      const state = answerInvitation(sessionId, invitation, requester.id, accepted, {
        teamMemberIds,
        presentRepIds: present.map((p) => p.repId),
      });
      requireActive(c, "invitations are answered while the session is active");
      if (state !== "pending")
        await this.invitations.settle(c.tx, siteId, sessionId, invitationId, state, requester.id, c.nowMs);
      c.emit({
        $case: "repInvitationAnswered",
        repInvitationAnswered: { invitationId, repId: requester.id, accepted },
      });
      if (!accepted) return;
      await this.participants.join(c.tx, siteId, sessionId, requester.id, false, c.nowMs);
      c.emit({ $case: "participantJoined", participantJoined: { repId: requester.id, primary: false } });
    });
    return row;
  }

  /** The primary (or a supervisor) gives control to another rep present; the primary changes. */
  async handOver(siteId: string, sessionId: string, requester: RequesterValue, toRepId: string): Promise<SessionRow> {
    const { row } = await this.store.change(siteId, sessionId, async (c) => {
      const present = await this.access.check(c, requester, "primary");
      requireActive(c, "control is handed over in an active session");
      const to = handOverTarget(present, toRepId);
      if (!to) return;
      await this.handOverIn(c, present.find((p) => p.primary)?.repId ?? c.row.repId ?? "", to.repId);
    });
    return row;
  }

  /**
   * A rep leaves. Another rep just leaves; the primary hands control to the rep present longest; the
   * last rep puts the session back in the queue it was answered from, at its original place.
   */
  async leave(siteId: string, sessionId: string, requester: RequesterValue): Promise<SessionRow> {
    const { row } = await this.store.change(siteId, sessionId, async (c) => {
      onlyRequesters(requester, ["rep"], "a rep in the session leaves it");
      const present = await this.access.check(c, requester, "participant");
      requireActive(c, "reps leave an active session");
      const outcome = leaveOutcome(present, requester.id);
      if (outcome.kind === "last") return this.requeueIn(c, requester.id);
      await this.permissions.releaseIn(c, [requester.id]);
      await this.participants.leave(c.tx, siteId, sessionId, requester.id, c.nowMs);
      c.emit({ $case: "participantLeft", participantLeft: { repId: requester.id, reason: "left" } });
      if (outcome.kind === "handed_over") await this.handOverIn(c, requester.id, outcome.toRepId);
    });
    return row;
  }

  /**
   * Control passes to `toRepId`, in the acd first (while the row is locked, as transfers do): its load
   * follows whoever holds the session, fenced by the epoch and the holder it names, the primary. A
   * session the acd holds for another rep (handed over before the acd counted hand-overs, or a
   * hand-over the acd applied and PostgreSQL did not commit) is refused WRONG_REP: the acd's own
   * holder is asked and named instead.
   */
  private async handOverIn(c: SessionChange, fromRepId: string, toRepId: string): Promise<void> {
    const { siteId, sessionId, committedEpoch } = c.row;
    const holder = c.row.repId ?? fromRepId;
    try {
      await this.acd.handOver(siteId, sessionId, committedEpoch, holder, toRepId);
    } catch (error) {
      if (!(error instanceof OfferRefusedError) || error.reason !== "WRONG_REP") throw error;
      const held = (await this.acd.batchRouting(siteId, [sessionId])).sessions[0]?.repId;
      if (!held || held === holder) throw error;
      await this.acd.handOver(siteId, sessionId, committedEpoch, held, toRepId);
    }
    await this.participants.setPrimary(c.tx, c.row.siteId, c.row.sessionId, toRepId);
    c.set({ repId: toRepId });
    c.emit({ $case: "controlHandedOver", controlHandedOver: { fromRepId, toRepId } });
  }

  /** The last rep left: back to the queue the session was answered from, at its original place. */
  private async requeueIn(c: SessionChange, repId: string): Promise<void> {
    const { siteId, sessionId } = c.row;
    const { position } = await this.acd.requeue(siteId, sessionId, c.row.committedEpoch, undefined, "rep_left");
    await this.vacate(c, "left");
    c.set({ state: "waiting", repId: null, offerExpiresAtMs: null });
    c.emit(sessionWaiting(c.row, "rep_left", repId, position));
  }

  /** Everyone leaves (transfer, re-queue): grants and open requests end, open invitations lapse. */
  private async vacate(c: SessionChange, reason: "transferred" | "left"): Promise<void> {
    const { siteId, sessionId } = c.row;
    await this.permissions.releaseIn(c, "everyone");
    await this.invitations.cancelPending(c.tx, siteId, sessionId, c.nowMs);
    for (const repId of await this.participants.leaveAll(c.tx, siteId, sessionId, c.nowMs))
      c.emit({ $case: "participantLeft", participantLeft: { repId, reason } });
  }

  /** An invitee must be a team of the site, or a rep who is a member of one of its teams. */
  private async checkInvitee(siteId: string, invitee: QueueTargetValue): Promise<void> {
    const teams = (await this.acd.routingConfig(siteId))?.teams ?? [];
    if (invitee.kind === "team" && !teams.some((t) => t.id === invitee.id))
      throw new InvalidFieldError("invitee.team_id", "is not a team of this site");
    if (invitee.kind === "rep" && !teams.some((t) => t.memberRepIds.includes(invitee.id)))
      throw new InvalidFieldError("invitee.rep_id", "is not a member of any team of this site");
  }

  private async teamMembersFor(siteId: string, sessionId: string, invitationId: string): Promise<string[]> {
    const invitation = await this.invitations.find(this.store.pool, siteId, sessionId, invitationId);
    if (invitation?.invitee.kind !== "team") return [];
    const team = (await this.acd.routingConfig(siteId))?.teams.find((t) => t.id === invitation.invitee.id);
    return team?.memberRepIds ?? [];
  }
}
