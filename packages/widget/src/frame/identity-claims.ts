// What the host site's identity token says about the customer, read (not verified: intake verifies
// it against the site's keys at start) so that the issue form can show those fields filled in and
// locked, as intake will use the token's values instead of anything typed.

/** The claims intake takes from the token (services/intake/README.md, "Verified identity"). */
export const VERIFIED_FIELDS = ["name", "company", "companyCode", "email"] as const;
export type VerifiedField = (typeof VERIFIED_FIELDS)[number];

const MAX_CLAIM = 320;

/** The token's customer claims (strings only, bounded); empty for anything that is not a JWT. */
export function identityClaims(token: string | null): Partial<Record<VerifiedField, string>> {
  const payload = token?.split(".")[1];
  if (!payload) return {};
  try {
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(json, (char) => char.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const found: Partial<Record<VerifiedField, string>> = {};
    for (const field of VERIFIED_FIELDS) {
      const value = claims[field];
      if (typeof value === "string" && value.length > 0 && value.length <= MAX_CLAIM) found[field] = value;
    }
    return found;
  } catch {
    return {};
  }
}
