import { z } from "zod";
import { ME_PREFIX, REP_PREFIX, type AgentRoute } from "./agent-route";
import { problemBody } from "./schemas";

type Json = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  400: "A field is malformed: the problem body names it (`field`, `errors`).",
  401: "No token, or a token that is expired, for another audience or issuer, or badly signed.",
  403: "The caller may not do this (a rep acting as another rep, not in the session...).",
  404: "No such session (in the caller's site) or reference.",
  409: "The session's state does not allow it (stale epoch, ended session, answered already...).",
  429: "Rate limit or a bound of the session reached.",
  503: "A service the command needs (acd, presence, the issuer's keys) did not answer; retry.",
};

/**
 * JSON Schema of one zod schema with its named parts (`meta({ id })`) moved into `components`: zod
 * writes them as `$defs` of each schema; the document refers to them once.
 */
function jsonSchema(schema: z.ZodType, io: "input" | "output", components: Json): Json {
  const { $defs, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io }) as Json & { $defs?: Json };
  delete rest.$schema;
  for (const [name, definition] of Object.entries($defs ?? {})) components[name] = relinked(definition);
  return relinked(rest) as Json;
}

const relinked = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));

function parameters(route: AgentRoute, path: string, components: Json): Json[] {
  if (!route.params) return [];
  const schema = jsonSchema(route.params, "input", components) as { properties?: Record<string, unknown> };
  return Object.entries(schema.properties ?? {})
    .filter(([name]) => path.includes(`{${name}}`))
    .map(([name, s]) => ({ name, in: "path", required: true, schema: s }));
}

/** A body is required when it has required fields; commands without any may be posted bare. */
const requestBody = (schema: Json) => ({
  required: Array.isArray(schema.required) && schema.required.length > 0,
  content: { "application/json": { schema } },
});

function operation(route: AgentRoute, path: string, components: Json): Json {
  const errors = [...new Set([400, 401, 429, ...route.errors])].sort();
  return {
    operationId: path.startsWith(ME_PREFIX) ? `${route.operationId}Self` : route.operationId,
    summary: route.summary,
    tags: [route.tag],
    parameters: parameters(route, path, components),
    ...(route.body ? { requestBody: requestBody(jsonSchema(route.body, "input", components)) } : {}),
    responses: {
      [route.status]:
        route.status === 204 || !route.response
          ? { description: "Done." }
          : {
              description: "Done.",
              content: { "application/json": { schema: jsonSchema(route.response, "output", components) } },
            },
      ...Object.fromEntries(errors.map((s) => [s, { $ref: `#/components/responses/Problem${s}` }])),
    },
  };
}

/** The agent API's OpenAPI 3.1 document, generated from the routes' zod schemas (checked in as openapi.json). */
export function agentOpenApi(routes: readonly AgentRoute[]): Json {
  const components: Json = {};
  jsonSchema(problemBody, "output", components);
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const forms = route.path.startsWith(REP_PREFIX)
      ? [route.path, ME_PREFIX + route.path.slice(REP_PREFIX.length)]
      : [route.path];
    for (const path of forms) (paths[path] ??= {})[route.method] = operation(route, path, components);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Handoff agent API",
      version: "1.0.0",
      description:
        "Commands and reads of support reps and supervisors (session-broker). Every operation needs " +
        "`Authorization: Bearer <JWT>` (claims `site`, `sub`, `roles`). `/v1/me/...` acts on the caller; " +
        "`/v1/reps/{repId}/...` on a rep of the caller's site (himself, or any rep for a supervisor or admin). " +
        "Errors are RFC 9457 problem bodies.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    tags: [
      { name: "rep", description: "Presence and what a rep holds" },
      { name: "session", description: "Commands on one session" },
      { name: "credentials", description: "Session keys and invitation links" },
    ],
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      responses: Object.fromEntries(
        Object.entries(STATUS_TEXT).map(([status, description]) => [
          `Problem${status}`,
          {
            description,
            content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
          },
        ]),
      ),
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}
