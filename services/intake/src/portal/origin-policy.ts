import { HttpProblem } from "@handoff/runtime";
import { idField } from "@handoff/runtime/fields";
import type { Request, RequestHandler, Response } from "express";
import type { SitePortals } from "./site-portals";

const ALLOWED_HEADERS = "Authorization, Content-Type, Idempotency-Key, Last-Event-ID";
const ALLOWED_METHODS = "GET, POST";
const PREFLIGHT_MAX_AGE_S = 600;

/**
 * Intake's own origin: the widget's frame is served from there. Compared by host only, since a proxy
 * in front may end TLS (the browser says https, this server sees http).
 */
function isOwnOrigin(req: Request, origin: string): boolean {
  try {
    return new URL(origin).host === req.get("host");
  } catch {
    return false;
  }
}

function allow(res: Response, origin: string): void {
  res.setHeader("Access-Control-Allow-Origin", origin);
  res.setHeader("Vary", "Origin");
}

/**
 * CORS per site: a browser request from one of the site's allowed origins (portal config) or from
 * intake's own is answered with that origin allowed; any other origin is refused (403) before the
 * route runs, so another page can neither read answers nor start sessions. Requests without an
 * `Origin` (not from a browser page) pass: CORS protects browsers' users, not the API.
 */
export function originPolicy(sites: SitePortals): RequestHandler {
  return (req, res, next) => {
    const origin = req.get("origin");
    const siteId = String(req.params.siteId ?? "");
    // A malformed site id is the route's 400 to give; no store is asked about it.
    if (origin === undefined || !idField.safeParse(siteId).success) return next();
    void sites
      .get(siteId)
      .then((portal) => {
        const allowed = isOwnOrigin(req, origin) || (portal?.config.allowedOrigins ?? []).includes(origin);
        if (!allowed)
          return next(
            new HttpProblem(403, "Forbidden", `origin ${origin.slice(0, 300)} may not use this portal`, undefined, {
              reason: "ORIGIN_NOT_ALLOWED",
            }),
          );
        allow(res, origin);
        if (req.method !== "OPTIONS") return next();
        res.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
        res.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
        res.setHeader("Access-Control-Max-Age", String(PREFLIGHT_MAX_AGE_S));
        res.status(204).end();
      })
      .catch(next);
  };
}
