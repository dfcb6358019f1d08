import { createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from "jose";
import { principalFromClaims, type AgentPrincipal } from "./agent-principal";

/**
 * Asymmetric algorithms only: no `none`, and no HS*, so a public key can never be used as an HMAC
 * secret (algorithm confusion). jose also refuses a key whose type does not fit the header's `alg`.
 */
export const ALLOWED_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "EdDSA"];
/** Clock skew tolerated on `exp`, `nbf` and `iat`. */
export const CLOCK_TOLERANCE_S = 60;

/** Why a request is not authenticated (401), or why tokens cannot be checked now (503). */
export class AgentAuthError extends Error {
  constructor(
    readonly status: 401 | 503,
    readonly reason: "TOKEN_MISSING" | "TOKEN_INVALID" | "TOKEN_EXPIRED" | "AUTH_UNAVAILABLE",
    message: string,
  ) {
    super(message);
    this.name = "AgentAuthError";
  }
}

export type VerificationKey = KeyObject | JWTVerifyGetKey;

export interface TokenVerifierOptions {
  issuer: string;
  audience: string;
  key: VerificationKey;
}

/** One public key given as PEM (SPKI, or a certificate) or as a JWK in JSON. */
export function publicKeyFrom(text: string): KeyObject {
  const trimmed = text.trim();
  const key = trimmed.startsWith("-----BEGIN")
    ? createPublicKey(trimmed)
    : createPublicKey({ key: JSON.parse(trimmed) as JsonWebKey, format: "jwk" });
  if (key.asymmetricKeyType === undefined) throw new Error("not an asymmetric public key");
  return key;
}

/** The issuer's published keys, fetched on demand and cached (jose re-fetches for an unknown `kid`). */
export const remoteKeySet = (url: string): JWTVerifyGetKey =>
  createRemoteJWKSet(new URL(url), { timeoutDuration: 5_000, cooldownDuration: 30_000, cacheMaxAge: 600_000 });

/** Checks an agent token (signature, algorithm, issuer, audience, expiry) and reads its principal. */
export class AgentTokenVerifier {
  constructor(private readonly options: TokenVerifierOptions) {}

  /** @throws AgentAuthError */
  async verify(token: string): Promise<AgentPrincipal> {
    let payload: unknown;
    try {
      const verified = await jwtVerify(token, this.options.key, {
        issuer: this.options.issuer,
        audience: this.options.audience,
        algorithms: ALLOWED_ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ["exp", "sub"],
      });
      payload = verified.payload;
    } catch (error) {
      throw authErrorOf(error);
    }
    const { principal, problem } = principalFromClaims(payload);
    if (!principal) throw new AgentAuthError(401, "TOKEN_INVALID", problem);
    return principal;
  }
}

function authErrorOf(error: unknown): AgentAuthError {
  if (error instanceof errors.JWTExpired) return new AgentAuthError(401, "TOKEN_EXPIRED", "the token has expired");
  // No answer, a non-200 or unreadable JWKS (jose's generic error), a network failure (not jose's).
  if (
    error instanceof errors.JWKSTimeout ||
    error instanceof errors.JWKSInvalid ||
    !(error instanceof errors.JOSEError) ||
    error.code === errors.JOSEError.code
  )
    return new AgentAuthError(503, "AUTH_UNAVAILABLE", "the token issuer's keys cannot be fetched now");
  if (error instanceof errors.JWTClaimValidationFailed)
    return new AgentAuthError(401, "TOKEN_INVALID", `claim ${error.claim}: ${error.reason}`);
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new AgentAuthError(401, "TOKEN_INVALID", "the token's algorithm is not allowed");
  return new AgentAuthError(401, "TOKEN_INVALID", "the token's signature or format is not valid");
}

/** The token of an `Authorization: Bearer <token>` header (also what a WebSocket upgrade carries). */
export function bearerToken(header: string | undefined): string {
  const match = /^Bearer\s+([A-Za-z0-9_.~+/=-]{1,8192})\s*$/i.exec(header ?? "");
  if (!match?.[1]) throw new AgentAuthError(401, "TOKEN_MISSING", "an Authorization: Bearer token is required");
  return match[1];
}
