import type { Request, RequestHandler, Response } from "express";
import type { AgentPrincipal } from "../auth/agent-principal";
import { AgentAuthError, bearerToken, type AgentTokenVerifier } from "../auth/token-verifier";
import { toHttpProblem } from "./problems";

/**
 * The caller of a request, from its bearer token. The WebSocket upgrade (a later step) calls this same
 * function with the upgrade request's header.
 * @throws AgentAuthError
 */
export async function authenticateHeader(
  verifier: AgentTokenVerifier,
  header: string | undefined,
): Promise<AgentPrincipal> {
  return verifier.verify(bearerToken(header));
}

/** Express middleware: a 401 problem (with `WWW-Authenticate`) unless the token is good. */
export function authenticate(verifier: AgentTokenVerifier): RequestHandler {
  return (req, res, next) => {
    authenticateHeader(verifier, req.headers.authorization).then(
      (principal) => {
        res.locals.principal = principal;
        next();
      },
      (error: unknown) => {
        if (error instanceof AgentAuthError && error.status === 401)
          res.setHeader(
            "WWW-Authenticate",
            error.reason === "TOKEN_MISSING"
              ? 'Bearer realm="handoff"'
              : 'Bearer realm="handoff", error="invalid_token"',
          );
        next(toHttpProblem(error));
      },
    );
  };
}

/** The principal `authenticate` put on the response. */
export function principalOf(res: Response): AgentPrincipal {
  return res.locals.principal as AgentPrincipal;
}

/** The rate limit's key: one bucket per person of a site, whatever token he holds now. */
export const principalKey = (_req: Request, res: Response): string => {
  const principal = principalOf(res);
  return `${principal.siteId}/${principal.repId}`;
};
