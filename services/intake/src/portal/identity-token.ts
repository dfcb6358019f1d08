import { HttpProblem } from "@handoff/runtime";
import { createLocalJWKSet, jwtVerify, type JWTPayload } from "jose";
import type { IdentityKeySet } from "../domain/identity-keys";

/** A token is short-lived: it proves who the host page's user is now, not an hour ago. */
export const MAX_TOKEN_AGE = "10m";
export const CLOCK_TOLERANCE_S = 30;
const ALGORITHMS = ["ES256", "EdDSA"];

/** The customer fields a host site may vouch for: claim name → the proto's field name. */
const CLAIMS = { name: "name", company: "company", companyCode: "company_code", email: "email" } as const;
const MAX_CLAIM = { name: 200, company: 200, companyCode: 64, email: 320 } as const;

export interface VerifiedIdentity {
  fields: Partial<Record<keyof typeof CLAIMS, string>>;
  /** The proto's names of the fields set (Customer.verified_fields). */
  verifiedFields: string[];
}

const refused = (detail: string) =>
  new HttpProblem(401, "Unauthorized", `identityToken: ${detail}`, "identityToken", {
    reason: "IDENTITY_REJECTED",
    errors: [{ field: "identityToken", problem: detail }],
  });

/**
 * Checks the host site's identity token: signed (ES256 or EdDSA) by a key of the site's JWKS (by
 * `kid`), for this site (`aud`), unexpired, issued at most MAX_TOKEN_AGE ago. Its claims name, company,
 * companyCode and email become verified customer fields.
 * @throws HttpProblem 401 IDENTITY_REJECTED
 */
export async function verifyIdentityToken(
  token: string,
  siteId: string,
  keys: IdentityKeySet | undefined,
): Promise<VerifiedIdentity> {
  if (!keys) throw refused("this site does not verify identities");
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, createLocalJWKSet(keys), {
      audience: siteId,
      algorithms: ALGORITHMS,
      maxTokenAge: MAX_TOKEN_AGE,
      clockTolerance: CLOCK_TOLERANCE_S,
      requiredClaims: ["exp", "iat"],
    }));
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw refused(
      code === "ERR_JWT_EXPIRED"
        ? "has expired"
        : code === "ERR_JWT_CLAIM_VALIDATION_FAILED"
          ? `is not valid here (${(error as Error).message})`
          : "is not signed by one of the site's keys",
    );
  }
  const fields: VerifiedIdentity["fields"] = {};
  for (const claim of Object.keys(CLAIMS) as (keyof typeof CLAIMS)[]) {
    const value = payload[claim];
    if (value === undefined) continue;
    if (typeof value !== "string" || value.length > MAX_CLAIM[claim])
      throw refused(`claim ${claim} must be a string of at most ${MAX_CLAIM[claim]} characters`);
    fields[claim] = value;
  }
  return { fields, verifiedFields: Object.keys(fields).map((claim) => CLAIMS[claim as keyof typeof CLAIMS]) };
}
