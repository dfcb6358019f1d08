import { NotAllowedError, RequestAlreadyAnsweredError, SessionStateConflictError } from "./errors";
import type { QueueTargetValue } from "./queue-target";

export type InvitationStateName = "pending" | "accepted" | "declined" | "cancelled";

/** A rep invited into a session: a named rep, or anyone of a team. */
export interface RepInvitationValue {
  invitationId: string;
  invitee: QueueTargetValue;
  invitedBy: string;
  state: InvitationStateName;
}

/** Open invitations of one session; more is RESOURCE_EXHAUSTED. */
export const MAX_PENDING_INVITATIONS = 20;

export interface InvitationAnswerFacts {
  /** The members of the invited team (from the site's routing config); unused for a named rep. */
  teamMemberIds: readonly string[];
  /** The reps present in the session now. */
  presentRepIds: readonly string[];
}

/**
 * Checks that `repId` may answer the invitation, and returns its state afterwards. A named rep's
 * invitation is his alone; a team's is open to its members until the first one accepts, so a
 * member's decline leaves it open for the others.
 * @throws RequestAlreadyAnsweredError, NotAllowedError, SessionStateConflictError
 */
export function answerInvitation(
  sessionId: string,
  invitation: RepInvitationValue,
  repId: string,
  accepted: boolean,
  facts: InvitationAnswerFacts,
): InvitationStateName {
  if (invitation.state !== "pending")
    throw new RequestAlreadyAnsweredError(`invitation ${invitation.invitationId} is ${invitation.state}`);
  const { invitee } = invitation;
  if (invitee.kind === "rep" && invitee.id !== repId)
    throw new NotAllowedError(`invitation ${invitation.invitationId} is for another rep`);
  if (invitee.kind === "team" && !facts.teamMemberIds.includes(repId))
    throw new NotAllowedError(`rep ${repId} is not a member of team ${invitee.id}`);
  if (!accepted) return invitee.kind === "rep" ? "declined" : "pending";
  if (facts.presentRepIds.includes(repId))
    throw new SessionStateConflictError(sessionId, "active", `rep ${repId} is in it already`);
  return "accepted";
}
