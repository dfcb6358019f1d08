import {
  authenticate,
  parseRequest,
  principalKey,
  principalOf,
  rateLimitPerMinute,
  requireRole,
  type AgentTokenVerifier,
} from "@handoff/runtime";
import { Router, type Express, type Request, type RequestHandler } from "express";
import { csvText } from "./csv-table";
import { supervisorOpenApi } from "./supervisor-openapi";
import type { SupervisorApiDeps, SupervisorRoute } from "./supervisor-route";
import { SUPERVISOR_ROUTES } from "./supervisor-routes";

export interface SupervisorApiOptions {
  verifier: AgentTokenVerifier;
  /** Requests per supervisor (site and subject) per minute. */
  rateLimitPerMinute: number;
}

/** Supervisors and admins; the site they see is their token's, so no other site is reachable. */
export const requireSupervisor = requireRole(["supervisor", "admin"], "a supervisor", "SUPERVISOR_ROLE_REQUIRED");

/** `?format=` decides; without it the Accept header does (JSON unless text/csv is preferred). */
const wantsCsv = (req: Request, query: unknown): boolean => {
  const { format } = query as { format?: "json" | "csv" };
  return format ? format === "csv" : req.accepts(["application/json", "text/csv"]) === "text/csv";
};

/** The request's own path and query with the next page's cursor: a CSV has no room for it. */
function nextPageUrl(req: Request, cursor: string): string {
  const url = new URL(req.originalUrl, "http://localhost");
  url.searchParams.set("cursor", cursor);
  return `${url.pathname}${url.search}`;
}

function handlerOf(route: SupervisorRoute, deps: SupervisorApiDeps): RequestHandler {
  return (req, res, next) => {
    Promise.resolve()
      .then(async () => {
        const { params, query } = parseRequest(
          { params: route.params, query: route.query },
          { params: req.params, query: req.query, body: undefined },
        );
        const answer = await route.handle(deps, principalOf(res), query, params);
        if (!route.csv) return void res.status(route.status).json(answer);
        res.vary("Accept");
        if (!wantsCsv(req, query)) return void res.status(route.status).json(answer);
        const table = route.csv(answer, query);
        if (table.nextCursor) res.links({ next: nextPageUrl(req, table.nextCursor) });
        res.status(route.status).attachment(table.filename).type("text/csv; charset=utf-8").send(csvText(table));
      })
      .catch(next);
  };
}

/** `/v1/supervisor/sessions/{sessionId}` (OpenAPI) as express writes it. */
const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");

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
  for (const route of SUPERVISOR_ROUTES) router[route.method](expressPath(route.path), handlerOf(route, deps));
  app.use(router);
}
