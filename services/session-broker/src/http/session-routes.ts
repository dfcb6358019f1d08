import { Permission } from "@handoff/proto/common";
import { requesterOf } from "../auth/agent-actor";
import { route, type AgentRoute } from "./agent-route";
import { positionJson, sessionJson } from "./json-views";
import {
  answerFileSendBody,
  answerInvitationBody,
  emptyBody,
  endBody,
  fileSendPath,
  handOverBody,
  invitationIdResponse,
  invitationPath,
  inviteBody,
  offerBody,
  permissionBody,
  positionResponse,
  repSurveyBody,
  requestIdResponse,
  sequenceResponse,
  sessionPath,
  sessionResponse,
  sessionWithPosition,
  textBody,
  transferBody,
} from "./schemas";
import type { PERMISSIONS } from "./schemas";

const PERMISSION_TO_PROTO: Record<(typeof PERMISSIONS)[number], Permission> = {
  view: Permission.PERMISSION_VIEW,
  control: Permission.PERMISSION_CONTROL,
  file_transfer: Permission.PERMISSION_FILE_TRANSFER,
  elevation: Permission.PERMISSION_ELEVATION,
};

/** A queue target as the commands take it (the schema let exactly one through). */
const targetOf = (t: { teamId?: string; repId?: string }) =>
  t.teamId ? { kind: "team" as const, id: t.teamId } : { kind: "rep" as const, id: t.repId ?? "" };

const SESSION = "/v1/sessions/{sessionId}";

/** Commands on one session; the caller is the requester the commands check (rep, or supervisor). */
export const sessionRoutes: AgentRoute[] = [
  route({
    method: "get",
    path: SESSION,
    operationId: "getSession",
    summary: "One session of the caller's site, with its queue position while it waits",
    tag: "session",
    params: sessionPath,
    status: 200,
    response: sessionWithPosition,
    errors: [403, 404],
    handle: async (deps, { principal, params }) => {
      const row = await deps.lifecycle.authorize(principal.siteId, params.sessionId, requesterOf(principal), "staff");
      const [session, position] = await Promise.all([sessionJson(deps, row), deps.views.position(row)]);
      return { session, position: positionJson(position) };
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/accept`,
    operationId: "acceptOffer",
    summary: "Accept the session offered to the caller (the offer's epoch fences a stale accept)",
    tag: "session",
    params: sessionPath,
    body: offerBody,
    status: 200,
    response: sessionResponse,
    errors: [404, 409, 503],
    handle: async (deps, { principal, params, body }) => {
      const row = await deps.lifecycle.accept(principal.siteId, params.sessionId, principal.repId, body.epoch);
      return { session: await sessionJson(deps, row) };
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/reject`,
    operationId: "rejectOffer",
    summary: "Reject the session offered to the caller; it goes to the next rep",
    tag: "session",
    params: sessionPath,
    body: offerBody,
    status: 204,
    errors: [404, 409, 503],
    handle: (deps, { principal, params, body }) =>
      deps.lifecycle.reject(principal.siteId, params.sessionId, principal.repId, body.epoch),
  }),
  route({
    method: "post",
    path: `${SESSION}/transfer`,
    operationId: "transferSession",
    summary: "Transfer an active session to a rep's or a team's queue",
    tag: "session",
    params: sessionPath,
    body: transferBody,
    status: 200,
    response: positionResponse,
    errors: [403, 404, 409, 503],
    handle: async (deps, { principal, params, body }) => ({
      position: positionJson(
        await deps.participantCommands.transfer(
          principal.siteId,
          params.sessionId,
          requesterOf(principal),
          targetOf(body.target),
        ),
      ),
    }),
  }),
  route({
    method: "post",
    path: `${SESSION}/invitations`,
    operationId: "inviteRep",
    summary: "Invite a rep (or any rep of a team) into the session",
    tag: "session",
    params: sessionPath,
    body: inviteBody,
    status: 201,
    response: invitationIdResponse,
    errors: [403, 404, 409, 429],
    handle: async (deps, { principal, params, body }) => ({
      invitationId: await deps.participantCommands.invite(
        principal.siteId,
        params.sessionId,
        requesterOf(principal),
        targetOf(body.invitee),
      ),
    }),
  }),
  route({
    method: "post",
    path: `${SESSION}/invitations/{invitationId}/answer`,
    operationId: "answerInvitation",
    summary: "Accept or decline an invitation into the session",
    tag: "session",
    params: invitationPath,
    body: answerInvitationBody,
    status: 200,
    response: sessionResponse,
    errors: [403, 404, 409],
    handle: async (deps, { principal, params, body }) => {
      const row = await deps.participantCommands.answerInvitation(
        principal.siteId,
        params.sessionId,
        params.invitationId,
        requesterOf(principal),
        body.accepted,
      );
      return { session: await sessionJson(deps, row) };
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/control`,
    operationId: "handOverControl",
    summary: "Hand control of the session to another rep in it",
    tag: "session",
    params: sessionPath,
    body: handOverBody,
    status: 200,
    response: sessionResponse,
    errors: [403, 404, 409],
    handle: async (deps, { principal, params, body }) => {
      const row = await deps.participantCommands.handOver(
        principal.siteId,
        params.sessionId,
        requesterOf(principal),
        body.toRepId,
      );
      return { session: await sessionJson(deps, row) };
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/leave`,
    operationId: "leaveSession",
    summary: "Leave the session (the last rep's leaving sends it back to its queue)",
    tag: "session",
    params: sessionPath,
    body: emptyBody,
    status: 200,
    response: sessionResponse,
    errors: [403, 404, 409, 503],
    handle: async (deps, { principal, params }) => {
      const row = await deps.participantCommands.leave(principal.siteId, params.sessionId, requesterOf(principal));
      return { session: await sessionJson(deps, row) };
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/end`,
    operationId: "endSession",
    summary: "End the session (resolved by default)",
    tag: "session",
    params: sessionPath,
    body: endBody,
    status: 200,
    response: sessionResponse,
    errors: [403, 404, 409],
    handle: async (deps, { principal, params, body }) => {
      const row = await deps.lifecycle.close(principal.siteId, params.sessionId, requesterOf(principal), body.reason);
      return { session: await sessionJson(deps, row) };
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/permission-requests`,
    operationId: "requestPermission",
    summary: "Ask the customer for a permission (view, control, file transfer, elevation)",
    tag: "session",
    params: sessionPath,
    body: permissionBody,
    status: 201,
    response: requestIdResponse,
    errors: [403, 404, 409, 429],
    handle: async (deps, { principal, params, body }) => ({
      requestId: await deps.permissionCommands.request(
        principal.siteId,
        params.sessionId,
        requesterOf(principal),
        PERMISSION_TO_PROTO[body.permission],
        body.application ?? "",
      ),
    }),
  }),
  route({
    method: "post",
    path: `${SESSION}/file-send-requests/{requestId}/answer`,
    operationId: "answerFileSend",
    summary: "Allow or deny the customer's request to send a file (a fileSendRequested event)",
    tag: "session",
    params: fileSendPath,
    body: answerFileSendBody,
    status: 204,
    errors: [403, 404, 409],
    handle: (deps, { principal, params, body }) =>
      deps.fileSends.answer(principal.siteId, params.sessionId, requesterOf(principal), params.requestId, body.allowed),
  }),
  route({
    method: "post",
    path: `${SESSION}/messages`,
    operationId: "sendChatMessage",
    summary: "Chat with the customer and the reps in the session",
    tag: "session",
    params: sessionPath,
    body: textBody,
    status: 201,
    response: sequenceResponse,
    errors: [403, 404, 409],
    handle: async (deps, { principal, params, body }) => ({
      sequence: await deps.conversation.chat(principal.siteId, params.sessionId, requesterOf(principal), body.text),
    }),
  }),
  route({
    method: "post",
    path: `${SESSION}/nudge`,
    operationId: "nudge",
    summary: "Nudge the customer (draw his attention to the session window)",
    tag: "session",
    params: sessionPath,
    body: emptyBody,
    status: 204,
    errors: [403, 404, 409],
    handle: (deps, { principal, params }) =>
      deps.conversation.nudge(principal.siteId, params.sessionId, requesterOf(principal)),
  }),
  route({
    method: "post",
    path: `${SESSION}/notes`,
    operationId: "addNote",
    summary: "Add a note only reps see",
    tag: "session",
    params: sessionPath,
    body: textBody,
    status: 201,
    response: sequenceResponse,
    errors: [403, 404, 409],
    handle: async (deps, { principal, params, body }) => ({
      sequence: await deps.conversation.note(principal.siteId, params.sessionId, requesterOf(principal), body.text),
    }),
  }),
  route({
    method: "post",
    path: `${SESSION}/rep-survey`,
    operationId: "submitRepSurvey",
    summary: "The rep's survey of the session: a resolution code and a comment",
    tag: "session",
    params: sessionPath,
    body: repSurveyBody,
    status: 204,
    errors: [403, 404, 409],
    handle: (deps, { principal, params, body }) =>
      deps.conversation.repSurvey(
        principal.siteId,
        params.sessionId,
        requesterOf(principal),
        body.resolutionCode,
        body.comment ?? "",
      ),
  }),
];
