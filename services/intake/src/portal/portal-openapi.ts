import { openApiDocument, type ApiOperation } from "@handoff/runtime";
import { IDEMPOTENCY_KEY, sessionPath } from "./portal-schemas";
import type { PortalRoute } from "./portal-route";

const PROBLEMS: Record<number, string> = {
  400: "A field is malformed: the problem body names it (`field`, `errors`).",
  401: "No customer token (TOKEN_REQUIRED), or a refused identity token (IDENTITY_REJECTED).",
  403: "The page's origin is not allowed for the site (ORIGIN_NOT_ALLOWED), or a wrong key or link (CREDENTIAL_REJECTED).",
  404: "No such site (SITE_NOT_FOUND) or no such session for this token (SESSION_NOT_FOUND).",
  409: "PORTAL_CLOSED (with opensAt), START_METHOD_DISABLED, AGREEMENT_CHANGED, or the session's state does not allow it.",
  422: "The Idempotency-Key was used for a start with other fields (IDEMPOTENCY_KEY_REUSED): send a new key.",
  413: "The body is larger than 16 kB.",
  429: "Rate limit per address or per site (RATE_LIMITED), key guessing (REDEMPTION_LOCKED), or a bound reached.",
  503:
    "The session-broker (BROKER_UNAVAILABLE) or the acd (ROUTING_UNAVAILABLE) cannot serve: `dependency` names " +
    "what failed (session-broker, session-broker/postgresql, acd, acd/redis...); ask again after Retry-After.",
};

const COMMON_ERRORS = [400, 403, 429, 503];

/** The live stream, which is no JSON operation: documented here, served by customer-streams.ts. */
const STREAM: ApiOperation = {
  method: "get",
  path: "/v1/sites/{siteId}/sessions/{sessionId}/events",
  operationId: "streamSessionEvents",
  summary:
    "The customer's live stream (text/event-stream): status, position, greeting, hold, notice, waiting, offered, " +
    "accepted, chat, permission, nudge, participant, end. Frames of the session's history carry its sequence as id.",
  tag: "session",
  params: sessionPath,
  headers: [
    {
      name: "Last-Event-ID",
      in: "header",
      required: false,
      description: "The id of the last frame received: the stream resumes after it.",
      schema: { type: "string", pattern: "^[0-9]{1,15}$" },
    },
  ],
  status: 200,
  errors: [401, 404, ...COMMON_ERRORS],
};

const IDEMPOTENCY_KEY_HEADER = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "A key for this start, new for every start the customer means and sent again on its retries (a UUID). " +
    "A retry with the same key and body within 24 h answers the session the first attempt started, with the " +
    "same customerToken, never a second session; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED.",
  schema: { type: "string", pattern: IDEMPOTENCY_KEY.source },
};

/** The public portal API's OpenAPI 3.1 document, generated from the routes' zod schemas. */
export function portalOpenApi(routes: readonly PortalRoute[]): Record<string, unknown> {
  const operations: ApiOperation[] = routes.map((r) => ({
    ...r,
    ...(r.idempotent ? { headers: [IDEMPOTENCY_KEY_HEADER] } : {}),
    errors: [...COMMON_ERRORS, ...r.errors],
  }));
  return openApiDocument({
    info: {
      title: "Handoff public portal API",
      version: "1.0.0",
      description:
        "What a customer's browser (the widget) calls on intake's public port. Starting a session answers a " +
        "customerToken; every call about that session sends it as `Authorization: Bearer <customerToken>` " +
        "(the portal and the start need none). Errors are RFC 9457 problem bodies.",
    },
    tags: [
      { name: "portal", description: "The site's portal and starting a session" },
      { name: "session", description: "The customer's own session (customer token)" },
    ],
    problems: PROBLEMS,
    operations: [...operations, STREAM],
  });
}
