import { requesterOf } from "../auth/agent-actor";
import { route, type AgentRoute } from "./agent-route";
import { invitationBody, invitationResponse, sessionKeyBody, sessionKeyResponse } from "./schemas";

const targetOf = (t: { teamId?: string; repId?: string } | undefined) =>
  t && (t.teamId ? { kind: "team" as const, id: t.teamId } : { kind: "rep" as const, id: t.repId ?? "" });

/** Session keys and invitation links a rep hands to a customer. */
export const credentialRoutes: AgentRoute[] = [
  route({
    method: "post",
    path: "/v1/session-keys",
    operationId: "createSessionKey",
    summary: "A session key the customer types to reach the caller (or the given queue)",
    tag: "credentials",
    body: sessionKeyBody,
    status: 201,
    response: sessionKeyResponse,
    errors: [403],
    handle: (deps, { principal, body }) =>
      deps.credentials.createSessionKey({
        siteId: principal.siteId,
        requester: requesterOf(principal),
        target: targetOf(body.target),
        ttlMs: body.ttlMs ?? 0,
      }),
  }),
  route({
    method: "post",
    path: "/v1/invitations",
    operationId: "createInvitation",
    summary: "An invitation link for a customer, sent by e-mail or handed over by chat or phone",
    tag: "credentials",
    body: invitationBody,
    status: 201,
    response: invitationResponse,
    errors: [403, 503],
    handle: (deps, { principal, body }) =>
      deps.credentials.createInvitation({
        siteId: principal.siteId,
        requester: requesterOf(principal),
        ttlMs: body.ttlMs ?? 0,
        channel: body.channel,
        customerAddress: body.customerAddress ?? "",
        customerName: body.customerName ?? "",
      }),
  }),
];
