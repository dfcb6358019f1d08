import { HttpProblem, parseRequest, unavailableProblem } from "@handoff/runtime";
import { Router, type Express, type Request, type RequestHandler } from "express";
import { AcdUnavailableError } from "../routing/acd-routing";
import { peerFailure } from "../routing/peer-failure";
import { brokerProblem, type CustomerCredential } from "./customer-broker";
import { originPolicy } from "./origin-policy";
import { portalOpenApi } from "./portal-openapi";
import type { PortalDeps } from "./portal-deps";
import type { PortalRoute } from "./portal-route";
import { PORTAL_ROUTES } from "./portal-routes";
import { IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_PROBLEM, sessionPath } from "./portal-schemas";

/** The largest JSON body a customer may send (a 4,000-character description or chat message fits). */
export const PORTAL_JSON_LIMIT = "16kb";

export interface PortalApiOptions {
  /** The per-site limit (`sharedRateLimit` named `site`); the per-address one is the app's. */
  siteRateLimit: RequestHandler;
}

const CUSTOMER_TOKEN = /^Bearer ([A-Za-z0-9_-]{16,256})$/;

/** The session in the path and the customer's bearer token: the session id alone gives nothing. */
function credentialOf(req: Request, siteId: string, sessionId: string): CustomerCredential {
  const match = CUSTOMER_TOKEN.exec(req.get("authorization") ?? "");
  if (!match?.[1])
    throw new HttpProblem(
      401,
      "Unauthorized",
      "send the session's customer token as Authorization: Bearer",
      undefined,
      {
        reason: "TOKEN_REQUIRED",
      },
    );
  return { siteId, sessionId, customerToken: match[1] };
}

/** The Idempotency-Key header, when sent; a malformed one is a 400 naming the header. */
function idempotencyKeyOf(req: Request): string | undefined {
  const key = req.get("idempotency-key");
  if (key === undefined) return undefined;
  if (!IDEMPOTENCY_KEY.test(key))
    throw new HttpProblem(400, "Invalid request", `Idempotency-Key: ${IDEMPOTENCY_KEY_PROBLEM}`, "Idempotency-Key", {
      errors: [{ field: "Idempotency-Key", problem: IDEMPOTENCY_KEY_PROBLEM }],
    });
  return key;
}

const expressPath = (path: string) => path.replace(/\{(\w+)\}/g, ":$1");
const clientAddress = (req: Request) => (req.ip ?? "").slice(0, 64);

function handlerOf(route: PortalRoute, deps: PortalDeps): RequestHandler {
  return (req, res, next) => {
    Promise.resolve()
      .then(async () => {
        const parsed = parseRequest(route, { params: req.params, body: route.method === "get" ? undefined : req.body });
        const { siteId, sessionId } = parsed.params as { siteId: string; sessionId?: string };
        const credential = route.customer
          ? credentialOf(req, siteId, sessionId ?? "")
          : { siteId, sessionId: "", customerToken: "" };
        const idempotencyKey = route.idempotent ? idempotencyKeyOf(req) : undefined;
        const result = await route.handle(deps, {
          ...parsed,
          clientAddress: clientAddress(req),
          credential,
          ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
        });
        if (route.status === 204) res.status(204).end();
        else res.status(route.status).json(result);
      })
      .catch((error: unknown) => next(portalProblem(error)));
  };
}

/** A refusal as the customer's problem body; the acd not answering (site configs) is a 503 naming it too. */
function portalProblem(error: unknown): unknown {
  if (error instanceof AcdUnavailableError) return unavailableProblem("ROUTING_UNAVAILABLE", peerFailure(error, "acd"));
  return brokerProblem(error);
}

function streamHandler(deps: PortalDeps): RequestHandler {
  return (req, res, next) => {
    Promise.resolve()
      .then(async () => {
        const { params } = parseRequest({ params: sessionPath }, { params: req.params, body: undefined });
        const credential = credentialOf(req, params.siteId, params.sessionId);
        const last = req.get("last-event-id");
        if (last !== undefined && !/^\d{1,15}$/.test(last))
          throw new HttpProblem(400, "Invalid request", "Last-Event-ID: must be a sequence number", "Last-Event-ID", {
            errors: [{ field: "Last-Event-ID", problem: "must be a sequence number" }],
          });
        await deps.streams.serve(res, credential, last === undefined ? undefined : Number(last));
      })
      .catch((error: unknown) => next(portalProblem(error)));
  };
}

/**
 * Mounts the public portal API on intake's public app: `/v1/portal/openapi.json`, then under
 * `/v1/sites/{siteId}` the per-site CORS policy and rate limit, the operations and the live stream.
 */
export function mountPortalApi(app: Express, deps: PortalDeps, options: PortalApiOptions): void {
  const document = portalOpenApi(PORTAL_ROUTES);
  app.get("/v1/portal/openapi.json", (_req, res) => {
    res.json(document);
  });
  const site = Router({ mergeParams: true });
  site.use(originPolicy(deps.sites), options.siteRateLimit);
  const prefix = "/v1/sites/{siteId}";
  for (const route of PORTAL_ROUTES)
    site[route.method](expressPath(route.path.slice(prefix.length)), handlerOf(route, deps));
  site.get("/sessions/:sessionId/events", streamHandler(deps));
  app.use("/v1/sites/:siteId", site);
}
