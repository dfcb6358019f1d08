import {
  authenticate,
  parseRequest,
  principalKey,
  principalOf,
  requireRole,
  sharedRateLimit,
  type AgentTokenVerifier,
  type RedisClient,
} from "@handoff/runtime";
import { Router, type Express, type RequestHandler } from "express";
import type { AdminApiDeps } from "./admin-api-deps";
import { adminOpenApi } from "./admin-openapi";
import { adminProblem } from "./admin-problems";
import type { AdminRoute } from "./admin-route";
import { portalConfigRoutes } from "./portal-config-routes";
import { routingConfigRoutes } from "./routing-config-routes";
import { siteRoutes } from "./site-routes";

/** Every operation of the admin API, in the order the OpenAPI document lists them. */
export const ADMIN_ROUTES: readonly AdminRoute[] = [...portalConfigRoutes, ...routingConfigRoutes, ...siteRoutes];

/** The largest JSON body the admin listener takes: a routing config lists every team's members. */
export const ADMIN_JSON_LIMIT = "1mb";

export interface AdminApiOptions {
  verifier: AgentTokenVerifier;
  /** Requests per admin (site and subject) per minute, counted by every replica together. */
  rateLimitPerMinute: number;
  /** Where the replicas count (the portal's limits' Redis). */
  redis: RedisClient;
  /** Prefix of the counters' keys (`<prefix>:admin:<site>/<admin>`). */
  keyPrefix: string;
}

/** Only admins; the site they administer is their token's, so no other site is reachable. */
const requireAdmin = requireRole(["admin"], "an admin", "ADMIN_ROLE_REQUIRED");

function handlerOf(route: AdminRoute, deps: AdminApiDeps): RequestHandler {
  return (req, res, next) => {
    Promise.resolve()
      .then(async () => {
        const parsed = parseRequest(route, {
          params: req.params,
          query: req.query,
          body: route.method === "put" ? req.body : undefined,
        });
        const answer = await route.handle(deps, {
          principal: principalOf(res),
          ifMatch: req.get("if-match"),
          ...parsed,
        });
        if (answer.version !== undefined) res.setHeader("ETag", `"${answer.version}"`);
        res.status(route.status).json(answer.body);
      })
      .catch((error: unknown) => next(adminProblem(error)));
  };
}

/**
 * Mounts the admin API on the admin listener's app: `/v1/admin/openapi.json` (public), then every
 * operation behind the bearer token check, the admin role and the per-admin rate limit (shared by
 * every replica, as the portal's limits are: a replica count would multiply it by the replicas).
 */
export function mountAdminApi(app: Express, deps: AdminApiDeps, options: AdminApiOptions): void {
  const document = adminOpenApi(ADMIN_ROUTES);
  app.get("/v1/admin/openapi.json", (_req, res) => {
    res.json(document);
  });
  const router = Router();
  router.use(
    "/v1/admin",
    authenticate(options.verifier),
    requireAdmin,
    sharedRateLimit({
      redis: options.redis,
      name: "admin",
      perMinute: options.rateLimitPerMinute,
      key: principalKey,
      keyPrefix: options.keyPrefix,
    }),
  );
  for (const route of ADMIN_ROUTES)
    router[route.method](route.path.replace(/\{(\w+)\}/g, ":$1"), handlerOf(route, deps));
  app.use(router);
}
