import {
  authenticate,
  parseRequest,
  principalKey,
  principalOf,
  rateLimitPerMinute,
  requireRole,
  type AgentTokenVerifier,
} from "@handoff/runtime";
import { Router, type Express, type RequestHandler } from "express";
import { supervisorOpenApi } from "./supervisor-openapi";
import type { SupervisorApiDeps, SupervisorRoute } from "./supervisor-route";
import { SUPERVISOR_ROUTES } from "./supervisor-routes";

export interface SupervisorApiOptions {
  verifier: AgentTokenVerifier;
  /** Requests per supervisor (site and subject) per minute. */
  rateLimitPerMinute: number;
}

/** Supervisors and admins; the site they see is their token's, so no other site is reachable. */
const requireSupervisor = requireRole(["supervisor", "admin"], "a supervisor", "SUPERVISOR_ROLE_REQUIRED");

function handlerOf(route: SupervisorRoute, deps: SupervisorApiDeps): RequestHandler {
  return (req, res, next) => {
    Promise.resolve()
      .then(async () => {
        const { query } = parseRequest({ query: route.query }, { params: {}, query: req.query, body: undefined });
        res.status(route.status).json(await route.handle(deps, principalOf(res), query));
      })
      .catch(next);
  };
}

/**
 * Mounts the supervisor API: `/v1/supervisor/openapi.json` (public), then every operation behind the
 * bearer token check, the supervisor role and the per-supervisor rate limit.
 */
export function mountSupervisorApi(app: Express, deps: SupervisorApiDeps, options: SupervisorApiOptions): void {
  const document = supervisorOpenApi(SUPERVISOR_ROUTES);
  app.get("/v1/supervisor/openapi.json", (_req, res) => {
    res.json(document);
  });
  const router = Router();
  router.use(
    "/v1/supervisor",
    authenticate(options.verifier),
    requireSupervisor,
    rateLimitPerMinute(options.rateLimitPerMinute, principalKey),
  );
  for (const route of SUPERVISOR_ROUTES) router[route.method](route.path, handlerOf(route, deps));
  app.use(router);
}
