import { randomUUID } from "node:crypto";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";

const ISSUER = "https://issuer.test.handoff";
const AUDIENCE = "handoff-agent-sdk-test";

/** A signing key for a test's issuer; `brokerEnv` makes the brokers trust it (as the agent API's tests do). */
export interface TestIssuer {
  brokerEnv: Record<string, string>;
  token(siteId: string, repId: string, expiresIn?: string | number): Promise<string>;
}

export async function testIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  return {
    brokerEnv: {
      AGENT_JWT_ISSUER: ISSUER,
      AGENT_JWT_AUDIENCE: AUDIENCE,
      AGENT_JWT_PUBLIC_KEY: await exportSPKI(publicKey),
    },
    token: (siteId, repId, expiresIn = "10m") =>
      new SignJWT({ site: siteId, roles: ["rep"] })
        .setProtectedHeader({ alg: "RS256", typ: "JWT" })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject(repId)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(privateKey),
  };
}
