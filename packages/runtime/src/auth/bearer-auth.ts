import type { Request, RequestHandler, Response } from "express";
import { HttpProblem } from "../http/problem";
import type { AgentPrincipal, AgentRole } from "./agent-principal";
import { AgentAuthError, bearerToken, type AgentTokenVerifier } from "./token-verifier";

/** The problem body of a refused token: 401, or 503 when the issuer's keys cannot be fetched. */
export const authProblem = (error: AgentAuthError): HttpProblem =>
  new HttpProblem(
    error.status,
    error.status === 401 ? "Unauthorized" : "Service unavailable",
    error.message,
    undefined,
    {
      reason: error.reason,
    },
  );

/** Express middleware: a 401 problem (with `WWW-Authenticate`) unless the bearer token is good. */
export function authenticate(verifier: AgentTokenVerifier): RequestHandler {
  return (req, res, next) => {
    Promise.resolve()
      .then(() => verifier.verify(bearerToken(req.headers.authorization)))
      .then(
        (principal) => {
          res.locals.principal = principal;
          next();
        },
        (error: unknown) => {
          if (!(error instanceof AgentAuthError)) return next(error);
          if (error.status === 401)
            res.setHeader(
              "WWW-Authenticate",
              error.reason === "TOKEN_MISSING"
                ? 'Bearer realm="handoff"'
                : 'Bearer realm="handoff", error="invalid_token"',
            );
          next(authProblem(error));
        },
      );
  };
}

/** The principal `authenticate` put on the response. */
export function principalOf(res: Response): AgentPrincipal {
  return res.locals.principal as AgentPrincipal;
}

/** A rate limit's key: one bucket per person of a site, whatever token he holds now. */
export const principalKey = (_req: Request, res: Response): string => {
  const principal = principalOf(res);
  return `${principal.siteId}/${principal.repId}`;
};

/**
 * Express middleware after `authenticate`: a 403 problem with `reason` unless the principal holds one
 * of `roles` (e.g. "admin" for the site administration API). The site stays the token's.
 */
export function requireRole(roles: readonly AgentRole[], what: string, reason: string): RequestHandler {
  return (_req, res, next) => {
    const principal = principalOf(res);
    if (roles.some((role) => principal.roles.has(role))) return next();
    next(
      new HttpProblem(403, "Forbidden", `${principal.repId} is not ${what} of site ${principal.siteId}`, undefined, {
        reason,
      }),
    );
  };
}
