import { HttpProblem } from "@handoff/runtime";
import { AbandonReason, EndReason } from "@handoff/proto/common";
import type { PortalDeps } from "./portal-deps";
import { route, type PortalRoute } from "./portal-route";
import {
  awayBody,
  chatBody,
  endBody,
  fileSendBody,
  fileSendResponse,
  grantsResponse,
  permissionAnswerBody,
  permissionRequestPath,
  portalView,
  revokeBody,
  sequenceResponse,
  sessionPath,
  sessionStatus,
  sitePath,
  startedSession,
  startSessionBody,
  resumeBody,
  resumedSession,
  surveyBody,
} from "./portal-schemas";
import { portalViewJson } from "./portal-view";
import { grantsJson, PERMISSION_OF, sessionStatusJson } from "./session-json";
import { startSession } from "./start-session";

async function sitePortal(deps: PortalDeps, siteId: string) {
  const portal = await deps.sites.get(siteId);
  if (!portal)
    throw new HttpProblem(404, "Not found", `site ${siteId} has no portal`, undefined, { reason: "SITE_NOT_FOUND" });
  return portal;
}

const SESSION = "/v1/sites/{siteId}/sessions/{sessionId}";

/** Every operation of the public portal API but the live stream (customer-streams.ts), in document order. */
export const PORTAL_ROUTES: readonly PortalRoute[] = [
  route({
    method: "get",
    path: "/v1/sites/{siteId}/portal",
    operationId: "getPortal",
    summary:
      "The portal as a customer sees it now: open or closed, start methods, problem types, reps, notices, agreement",
    tag: "portal",
    customer: false,
    params: sitePath,
    status: 200,
    response: portalView,
    errors: [404],
    handle: async (deps, { params }) => {
      const portal = await sitePortal(deps, params.siteId);
      // Configs stored before display names existed have no list. Without presence the portal still
      // serves, with no rep to pick.
      const reps = portal.config.startMethods.repList
        ? await deps.reps.listed(params.siteId, portal.routing, portal.config.reps ?? []).catch(() => [])
        : [];
      return portalViewJson(portal, reps, deps.now());
    },
  }),
  route({
    method: "post",
    path: "/v1/sites/{siteId}/sessions",
    operationId: "startSession",
    summary: "Start a session by rep, by issue, by session key or by invitation link, with the agreement accepted",
    tag: "portal",
    customer: false,
    params: sitePath,
    body: startSessionBody,
    status: 201,
    response: startedSession,
    idempotent: true,
    errors: [401, 404, 409, 422],
    handle: async (deps, { params, body, clientAddress, idempotencyKey }) =>
      startSession(deps, await sitePortal(deps, params.siteId), body, clientAddress, deps.now(), idempotencyKey),
  }),
  route({
    method: "get",
    path: SESSION,
    operationId: "getSession",
    summary: "The customer's session now: state, queue position and P50/P90 estimated wait, grants",
    tag: "session",
    customer: true,
    params: sessionPath,
    status: 200,
    response: sessionStatus,
    errors: [401, 404],
    handle: async (deps, { credential }) => {
      const { session, position } = await deps.broker.getSession(credential);
      return sessionStatusJson(session!, position);
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/messages`,
    operationId: "sendChatMessage",
    summary: "Chat with the rep (also while waiting)",
    tag: "session",
    customer: true,
    params: sessionPath,
    body: chatBody,
    status: 200,
    response: sequenceResponse,
    errors: [401, 404, 409],
    handle: async (deps, { credential, body }) => ({ sequence: await deps.broker.chat(credential, body.text) }),
  }),
  route({
    method: "post",
    path: `${SESSION}/permission-requests/{requestId}`,
    operationId: "answerPermissionRequest",
    summary: "Grant or deny a permission the rep asked for",
    tag: "session",
    customer: true,
    params: permissionRequestPath,
    body: permissionAnswerBody,
    status: 200,
    response: grantsResponse,
    errors: [401, 404, 409],
    handle: async (deps, { credential, params, body }) => ({
      granted: grantsJson(await deps.broker.answerPermission(credential, params.requestId, body.granted)),
    }),
  }),
  route({
    method: "post",
    path: `${SESSION}/file-send-requests`,
    operationId: "requestFileSend",
    summary: "Ask the rep to accept a file (one unanswered request at a time); his answer comes on the live stream",
    tag: "session",
    customer: true,
    params: sessionPath,
    body: fileSendBody,
    status: 201,
    response: fileSendResponse,
    errors: [401, 404, 409],
    handle: async (deps, { credential, body }) => ({
      requestId: await deps.broker.requestFileSend(credential, body.fileName, body.sizeBytes),
    }),
  }),
  route({
    method: "post",
    path: `${SESSION}/permissions/revoke`,
    operationId: "revokePermission",
    summary: "Take back a grant (control only, keeping view, changes it); `all` stops sharing",
    tag: "session",
    customer: true,
    params: sessionPath,
    body: revokeBody,
    status: 200,
    response: grantsResponse,
    errors: [401, 404, 409],
    handle: async (deps, { credential, body }) => {
      if (body.permission !== "all")
        return {
          granted: grantsJson(
            await deps.broker.revokePermission(credential, PERMISSION_OF[body.permission], body.application),
          ),
        };
      const { session } = await deps.broker.getSession(credential);
      let granted = session!.granted;
      for (const grant of session!.granted)
        granted = await deps.broker.revokePermission(credential, grant.permission, grant.application);
      return { granted: grantsJson(granted) };
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/end`,
    operationId: "endSession",
    summary: "Leave the queue (abandoned, customer left) or end the session; `notice` when leaving from a notice",
    tag: "session",
    customer: true,
    params: sessionPath,
    body: endBody,
    status: 200,
    response: sessionStatus,
    errors: [401, 404, 409],
    handle: async (deps, { credential, body }) => {
      const notice = body.reason === "notice";
      await deps.broker.end(
        credential,
        notice ? EndReason.END_REASON_NOTICE_EXIT : EndReason.END_REASON_CUSTOMER_LEFT,
        AbandonReason.ABANDON_REASON_CUSTOMER_LEFT,
      );
      const { session, position } = await deps.broker.getSession(credential);
      return sessionStatusJson(session!, position);
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/away`,
    operationId: "keepMyPlace",
    summary: "Keep my place: leave the page without losing the place (called back when the turn is near), or be back",
    tag: "session",
    customer: true,
    params: sessionPath,
    body: awayBody,
    status: 200,
    response: sessionStatus,
    errors: [401, 404, 409],
    handle: async (deps, { credential, body }) => {
      const portal = await sitePortal(deps, credential.siteId);
      if (body.away && !portal.config.keepPlace)
        throw new HttpProblem(409, "Conflict", "this portal does not keep places", undefined, {
          reason: "KEEP_PLACE_OFF",
        });
      const { session } = await deps.broker.setAway(credential, body.away);
      await (body.away ? deps.away.add(credential) : deps.away.remove(credential));
      const { position } = await deps.broker.getSession(credential);
      return sessionStatusJson(session!, position);
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/resume`,
    operationId: "resumeSession",
    summary:
      "The resume link of a customer called back: its one-time token for a new customer token; a waiting customer is back",
    tag: "session",
    customer: false,
    params: sessionPath,
    body: resumeBody,
    status: 200,
    response: resumedSession,
    errors: [403, 404],
    handle: async (deps, { params, body }) => {
      const resumed = await deps.broker.resume(params.siteId, params.sessionId, body.resumeToken);
      const credential = { ...params, customerToken: resumed.customerToken };
      await deps.away.remove(credential);
      const { session, position } = await deps.broker.getSession(credential);
      return { ...sessionStatusJson(session!, position), customerToken: resumed.customerToken };
    },
  }),
  route({
    method: "post",
    path: `${SESSION}/survey`,
    operationId: "submitSurvey",
    summary: "The exit survey after an answered session (none after leaving from a notice)",
    tag: "session",
    customer: true,
    params: sessionPath,
    body: surveyBody,
    status: 204,
    errors: [401, 404, 409],
    handle: async (deps, { credential, body }) => {
      await deps.broker.submitSurvey(credential, body.satisfaction, body.comment);
    },
  }),
];
