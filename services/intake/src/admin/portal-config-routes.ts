import { badRequest, HttpProblem } from "@handoff/runtime";
import type { PortalConfigVersion } from "../store/portal-config-store";
import { adminProblem } from "./admin-problems";
import { route, type AdminAnswer, type AdminRoute } from "./admin-route";
import {
  ETAG_HEADER,
  historyQuery,
  historyResponse,
  IF_MATCH_HEADER,
  portalConfigView,
  putPortalConfigBody,
  versionPath,
} from "./admin-schemas";

const answer = (siteId: string, stored: PortalConfigVersion): AdminAnswer => ({
  body: {
    siteId,
    version: stored.version,
    createdAt: stored.createdAt.toISOString(),
    createdBy: stored.createdBy,
    config: stored.config,
  },
  version: stored.version,
});

/**
 * The version a write replaces, from `If-Match: "N"` or the body's `expectedVersion` (they must agree
 * when both are sent). A write without either could silently undo someone else's: 428.
 */
function expectedVersionOf(ifMatch: string | undefined, inBody: number | undefined): number {
  let fromHeader: number | undefined;
  if (ifMatch !== undefined) {
    const match = /^"(\d{1,10})"$/.exec(ifMatch.trim());
    if (!match) throw badRequest("If-Match", 'must be the ETag of the version read, e.g. "3"');
    fromHeader = Number(match[1]);
  }
  if (fromHeader !== undefined && inBody !== undefined && fromHeader !== inBody)
    throw badRequest("expectedVersion", `is ${inBody} but If-Match says ${fromHeader}`);
  const expected = fromHeader ?? inBody;
  if (expected === undefined)
    throw new HttpProblem(
      428,
      "Precondition required",
      "expectedVersion: send the version this write replaces (0 creates the first), or If-Match",
      "expectedVersion",
      { reason: "VERSION_REQUIRED" },
    );
  return expected;
}

export const portalConfigRoutes: AdminRoute[] = [
  route({
    method: "get",
    path: "/v1/admin/portal-config",
    operationId: "getPortalConfig",
    summary: "The site's current portal config with its version (also the ETag).",
    tag: "portal",
    status: 200,
    response: portalConfigView,
    responseHeaders: ETAG_HEADER,
    errors: [404],
    handle: async ({ portalConfigs }, { principal }) =>
      answer(principal.siteId, await portalConfigs.current(principal.siteId)),
  }),
  route({
    method: "put",
    path: "/v1/admin/portal-config",
    operationId: "putPortalConfig",
    summary:
      "Replaces the site's portal config, validated whole, as the version after the one expected (If-Match or expectedVersion; 0 creates).",
    tag: "portal",
    body: putPortalConfigBody,
    headers: [IF_MATCH_HEADER],
    status: 200,
    response: portalConfigView,
    responseHeaders: ETAG_HEADER,
    errors: [409, 412, 413, 428, 503],
    handle: async ({ portalConfigs }, { principal, body, ifMatch }) => {
      const expected = expectedVersionOf(ifMatch, body.expectedVersion);
      try {
        return answer(
          principal.siteId,
          await portalConfigs.save(principal.siteId, expected, body.config, principal.repId),
        );
      } catch (error) {
        throw adminProblem(error, ifMatch !== undefined);
      }
    },
  }),
  route({
    method: "get",
    path: "/v1/admin/portal-config/versions",
    operationId: "listPortalConfigVersions",
    summary: "Who saved which version when, newest first (page with before).",
    tag: "portal",
    query: historyQuery,
    status: 200,
    response: historyResponse,
    errors: [],
    handle: async ({ portalConfigs }, { principal, query }) => ({
      body: {
        versions: (await portalConfigs.history(principal.siteId, query.limit, query.before)).map((v) => ({
          version: v.version,
          createdAt: v.createdAt.toISOString(),
          createdBy: v.createdBy,
        })),
      },
    }),
  }),
  route({
    method: "get",
    path: "/v1/admin/portal-config/versions/{version}",
    operationId: "getPortalConfigVersion",
    summary: "One earlier (or the current) version of the site's portal config.",
    tag: "portal",
    params: versionPath,
    status: 200,
    response: portalConfigView,
    responseHeaders: ETAG_HEADER,
    errors: [404],
    handle: async ({ portalConfigs }, { principal, params }) =>
      answer(principal.siteId, await portalConfigs.atVersion(principal.siteId, params.version)),
  }),
];
