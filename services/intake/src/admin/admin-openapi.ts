import { openApiDocument } from "@handoff/runtime";
import type { AdminRoute } from "./admin-route";

const PROBLEMS: Record<number, string> = {
  400: "A field is malformed or refused: the problem body names each (`field`, `errors`).",
  401: "No token, or a token that is expired, for another audience or issuer, or badly signed.",
  403: "The token's holder is not an admin (role admin) of a site.",
  404: "The site has no such config or version yet (or was retired).",
  409:
    "expectedVersion is not the current version: read the config again and reapply the change " +
    "(VERSION_CONFLICT); or the site still has sessions in routing and cannot be retired (SITE_IN_USE, `sessions`).",
  412: "If-Match is not the current version: read the config again and reapply the change.",
  413: "The body is larger than the admin API takes (1 MB).",
  428: "A write must say which version it replaces (If-Match or expectedVersion).",
  429: "Rate limit reached.",
  503:
    "The acd (routing), presence or the issuer's keys did not answer, or a retirement is not finished " +
    "(SITE_RETIREMENT_PENDING); retry.",
};

/** The admin API's OpenAPI 3.1 document, generated from the routes' zod schemas (checked in as openapi-admin.json). */
export function adminOpenApi(routes: readonly AdminRoute[]): Record<string, unknown> {
  return openApiDocument({
    info: {
      title: "Handoff site administration API",
      version: "1.0.0",
      description:
        "A site's portal config (versioned, validated whole) and its routing config (held by the acd), on " +
        "intake's admin listener. Every operation needs `Authorization: Bearer <JWT>` with role `admin`; the " +
        "site is the token's `site` claim, so an admin reaches his own site only. Writes of the portal config " +
        "name the version they replace (If-Match or expectedVersion). A site without sessions in routing can be " +
        "retired. Errors are RFC 9457 problem bodies.",
    },
    tags: [
      { name: "portal", description: "What the site's customers see and may do" },
      { name: "routing", description: "Teams and problem types, forwarded to the acd" },
      { name: "site", description: "The site's lifecycle: retiring it" },
    ],
    problems: PROBLEMS,
    operations: routes.map((route) => ({ ...route, errors: [400, 401, 403, 429, ...route.errors] })),
  });
}
