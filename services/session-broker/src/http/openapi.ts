import { openApiDocument, type ApiOperation } from "@handoff/runtime";
import { ME_PREFIX, REP_PREFIX, type AgentRoute } from "./agent-route";

const PROBLEMS: Record<number, string> = {
  400: "A field is malformed: the problem body names it (`field`, `errors`).",
  401: "No token, or a token that is expired, for another audience or issuer, or badly signed.",
  403: "The caller may not do this (a rep acting as another rep, not in the session...).",
  404: "No such session (in the caller's site) or reference.",
  409: "The session's state does not allow it (stale epoch, ended session, answered already...).",
  429: "Rate limit or a bound of the session reached.",
  503: "A service the command needs (acd, presence, the issuer's keys) did not answer; retry.",
};

/** A route's operations: rep routes are also served under `/v1/me` for the caller. */
function operations(route: AgentRoute): ApiOperation[] {
  const forms = route.path.startsWith(REP_PREFIX)
    ? [route.path, ME_PREFIX + route.path.slice(REP_PREFIX.length)]
    : [route.path];
  return forms.map((path) => ({
    ...route,
    path,
    operationId: path.startsWith(ME_PREFIX) ? `${route.operationId}Self` : route.operationId,
    errors: [400, 401, 429, ...route.errors],
  }));
}

/** The agent API's OpenAPI 3.1 document, generated from the routes' zod schemas (checked in as openapi.json). */
export function agentOpenApi(routes: readonly AgentRoute[]): Record<string, unknown> {
  return openApiDocument({
    info: {
      title: "Handoff agent API",
      version: "1.0.0",
      description:
        "Commands and reads of support reps and supervisors (session-broker). Every operation needs " +
        "`Authorization: Bearer <JWT>` (claims `site`, `sub`, `roles`). `/v1/me/...` acts on the caller; " +
        "`/v1/reps/{repId}/...` on a rep of the caller's site (himself, or any rep for a supervisor or admin). " +
        "Errors are RFC 9457 problem bodies.",
    },
    tags: [
      { name: "rep", description: "Presence and what a rep holds" },
      { name: "session", description: "Commands on one session" },
      { name: "credentials", description: "Session keys and invitation links" },
    ],
    problems: PROBLEMS,
    operations: routes.flatMap(operations),
  });
}
