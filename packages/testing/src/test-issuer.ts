import { randomUUID } from "node:crypto";
import { exportSPKI, generateKeyPair, SignJWT, type JWTPayload } from "jose";

export const TEST_ISSUER = "https://issuer.test.handoff";

export interface TokenOptions {
  /** @default "10m" */
  expiresIn?: string | number;
  issuer?: string;
  audience?: string;
  /** Claims added to (or replacing) `site` and `roles`. */
  claims?: JWTPayload;
}

/** A token issuer of a test: its key pair, and the settings that make a service trust it. */
export interface TestIssuer {
  /** `<PREFIX>_JWT_ISSUER`, `<PREFIX>_JWT_AUDIENCE` and `<PREFIX>_JWT_PUBLIC_KEY`. */
  env: Record<string, string>;
  audience: string;
  /** The public key, as PEM (what an algorithm-confusion attack would sign with). */
  publicPem: string;
  /** A token of `sub` at `siteId` with `roles`; `options` change what the test is about. */
  token(siteId: string, sub: string, roles?: string[], options?: TokenOptions): Promise<string>;
}

/** A fresh RS256 issuer trusted by a service started with `env` (settings named with `prefix`, e.g. ADMIN). */
export async function testIssuer(
  prefix: string,
  audience = `handoff-${prefix.toLowerCase()}-test`,
): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const publicPem = await exportSPKI(publicKey);
  return {
    env: {
      [`${prefix}_JWT_ISSUER`]: TEST_ISSUER,
      [`${prefix}_JWT_AUDIENCE`]: audience,
      [`${prefix}_JWT_PUBLIC_KEY`]: publicPem,
    },
    audience,
    publicPem,
    token: (siteId, sub, roles = ["rep"], options = {}) =>
      new SignJWT({ site: siteId, roles, ...options.claims })
        .setProtectedHeader({ alg: "RS256", typ: "JWT" })
        .setIssuer(options.issuer ?? TEST_ISSUER)
        .setAudience(options.audience ?? audience)
        .setSubject(sub)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? "10m")
        .sign(privateKey),
  };
}
