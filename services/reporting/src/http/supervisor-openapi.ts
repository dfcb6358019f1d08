import { openApiDocument } from "@handoff/runtime";
import type { SupervisorRoute } from "./supervisor-route";
import { SUPERVISOR_STREAM_OPERATION } from "./supervisor-stream-schemas";

const PROBLEMS: Record<number, string> = {
  400: "A query parameter is malformed or unknown: the problem body names each (`field`, `errors`).",
  401: "No token, or a token that is expired, for another audience or issuer, or badly signed.",
  403: "The token's holder is not a supervisor (role supervisor or admin) of a site.",
  404: "No such session in the token's site.",
  422: "The range holds too many sessions: ask for a shorter one.",
  429: "Rate limit reached (RATE_LIMITED), or too many open live streams (STREAMS_PER_SITE, STREAMS_PER_SUPERVISOR, STREAMS_PER_REPLICA).",
  503: "The issuer's keys did not answer; retry.",
};

/** How a route that can answer CSV documents it: a second media type and the attachment's file name. */
const CSV_ANSWER = {
  responseContent: {
    "text/csv": {
      schema: {
        type: "string",
        description:
          "A header row of the row schema's field names (nested fields dotted: `queue.kind`; a map a column per " +
          "key: `stateMs.REP_STATE_AWAY`), then one row per item of the array `table` names. Lists are " +
          "space-separated, null is empty, and a cell starting with = + - @ (other than a negative number) " +
          "gets a leading ' so no spreadsheet runs it.",
      },
    },
  },
  responseHeaders: {
    "Content-Disposition": {
      description: "On CSV answers: `attachment; filename=<name>.csv`.",
      schema: { type: "string" },
    },
    Link: {
      description: 'On CSV answers of a paged list with more pages: `<…&cursor=…>; rel="next"`.',
      schema: { type: "string" },
    },
  },
};

/** The supervisor API's OpenAPI 3.1 document, generated from the routes' zod schemas (checked in as openapi-supervisor.json). */
export function supervisorOpenApi(routes: readonly SupervisorRoute[]): Record<string, unknown> {
  return openApiDocument({
    info: {
      title: "Handoff supervisor API",
      version: "1.0.0",
      description:
        "Real-time queues and reps of a site, from reporting's fact tables (as fresh as its consumer lag). " +
        "History and session lists answer CSV too (`?format=csv` or `Accept: text/csv`). " +
        "Every operation needs `Authorization: Bearer <JWT>` with role `supervisor` (or `admin`); the site is " +
        "the token's `site` claim, so a supervisor sees his own site only. Errors are RFC 9457 problem bodies. " +
        "Figures are defined at `/v1/metrics-dictionary`.",
    },
    tags: [
      { name: "real time", description: "Queues and reps now" },
      { name: "history", description: "Figures per interval and range, recomputed from the facts" },
      { name: "sessions", description: "The sessions of a range, and the full report of one" },
    ],
    problems: PROBLEMS,
    operations: [
      ...routes.map((route) => ({
        ...route,
        ...(route.csv ? CSV_ANSWER : {}),
        errors: [400, 401, 403, 429, 503, ...route.errors],
      })),
      { ...SUPERVISOR_STREAM_OPERATION, errors: [400, 401, 403, 429, 503] },
    ],
  });
}
