import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { identityKeySetSchema } from "../../src/domain/identity-keys";
import { verifyIdentityToken } from "../../src/portal/identity-token";

async function siteKeys(alg: "ES256" | "EdDSA") {
  const { privateKey, publicKey } = await generateKeyPair(alg, { crv: alg === "EdDSA" ? "Ed25519" : undefined });
  const keys = identityKeySetSchema.parse({ keys: [{ ...(await exportJWK(publicKey)), kid: "web-1" }] });
  const now = Math.floor(Date.now() / 1000);
  const sign = (claims: Record<string, unknown>, iat = now, exp = now + 300) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg, kid: "web-1" })
      .setAudience("site-1")
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(privateKey);
  return { keys, sign };
}

describe("the host site's identity token", () => {
  it("vouches for name, company, company code and e-mail, with ES256 or EdDSA", async () => {
    for (const alg of ["ES256", "EdDSA"] as const) {
      const { keys, sign } = await siteKeys(alg);
      const token = await sign({ name: "Erika", email: "erika@example.com", role: "ignored" });
      expect(await verifyIdentityToken(token, "site-1", keys)).toEqual({
        fields: { name: "Erika", email: "erika@example.com" },
        verifiedFields: ["name", "email"],
      });
    }
  });

  it("refuses a token issued too long ago (even unexpired), an oversize claim, and a site without keys", async () => {
    const { keys, sign } = await siteKeys("EdDSA");
    const now = Math.floor(Date.now() / 1000);
    const old = await sign({ name: "Erika" }, now - 1_200, now + 300);
    await expect(verifyIdentityToken(old, "site-1", keys)).rejects.toMatchObject({
      status: 401,
      field: "identityToken",
      extensions: { reason: "IDENTITY_REJECTED" },
    });
    const long = await sign({ company: "x".repeat(201) });
    await expect(verifyIdentityToken(long, "site-1", keys)).rejects.toMatchObject({ status: 401 });
    await expect(verifyIdentityToken(await sign({}), "site-1", undefined)).rejects.toMatchObject({ status: 401 });
  });
});
