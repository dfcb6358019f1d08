import {
  authenticate,
  parseRequest,
  principalKey,
  principalOf,
  rateLimitPerMinute,
  type AgentTokenVerifier,
} from "@handoff/runtime";
import { Router, type Express, type RequestHandler } from "express";
import { checkActsOnRep } from "../auth/agent-actor";
import type { AgentApiDeps } from "./agent-api-deps";
import { ME_PREFIX, REP_PREFIX, type AgentRoute } from "./agent-route";
import { credentialRoutes } from "./credential-routes";
import { agentOpenApi } from "./openapi";
import { toHttpProblem } from "./problems";
import { repRoutes } from "./rep-routes";
import { sessionRoutes } from "./session-routes";

/** Every operation of the agent API, in the order the OpenAPI document lists them. */
export const AGENT_ROUTES: readonly AgentRoute[] = [...repRoutes, ...sessionRoutes, ...credentialRoutes];

/** The largest JSON body the broker's HTTP server takes (a 4,000-character chat message fits). */
export const AGENT_JSON_LIMIT = "32kb";

export interface AgentApiOptions {
  verifier: AgentTokenVerifier;
  /** Requests per person (site and rep) per minute. */
  rateLimitPerMinute: number;
}

/** `/v1/reps/{repId}/x` as express writes it, and the `/v1/me/x` form acting on the caller. */
function expressPaths(path: string): { path: string; self: boolean }[] {
  const express = (p: string) => p.replace(/\{(\w+)\}/g, ":$1");
  if (!path.startsWith(REP_PREFIX)) return [{ path: express(path), self: false }];
  return [
    { path: express(path), self: false },
    { path: express(ME_PREFIX + path.slice(REP_PREFIX.length)), self: true },
  ];
}

function handlerOf(route: AgentRoute, deps: AgentApiDeps, self: boolean): RequestHandler {
  return (req, res, next) => {
    const principal = principalOf(res);
    const params = self ? { ...req.params, repId: principal.repId } : req.params;
    Promise.resolve()
      .then(async () => {
        const parsed = parseRequest(route, { params, body: route.method === "get" ? undefined : req.body });
        const repId = (parsed.params as { repId?: string } | undefined)?.repId ?? principal.repId;
        checkActsOnRep(principal, repId);
        const result = await route.handle(deps, { principal, repId, ...parsed });
        if (route.status === 204) res.status(204).end();
        else res.status(route.status).json(result);
      })
      .catch((error: unknown) => next(toHttpProblem(error)));
  };
}

/**
 * Mounts the agent API on the broker's HTTP app: `/v1/openapi.json` (public), then every operation
 * behind the bearer token check and the per-person rate limit.
 */
export function mountAgentApi(app: Express, deps: AgentApiDeps, options: AgentApiOptions): void {
  const document = agentOpenApi(AGENT_ROUTES);
  app.get("/v1/openapi.json", (_req, res) => {
    res.json(document);
  });
  const router = Router();
  router.use("/v1", authenticate(options.verifier), rateLimitPerMinute(options.rateLimitPerMinute, principalKey));
  for (const route of AGENT_ROUTES)
    for (const { path, self } of expressPaths(route.path)) router[route.method](path, handlerOf(route, deps, self));
  app.use(router);
}
