import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey } from "jose";
import { DEV_AUDIENCE, DEV_ISSUER, loadOrCreateDevSigningKey, signDevToken } from "../../src/auth/dev-signing-key";
import { tokenVerifierFromSettings } from "../../src/auth/token-verifier-setup";
import {
  AgentAuthError,
  AgentTokenVerifier,
  bearerToken,
  publicKeyFrom,
  remoteKeySet,
} from "../../src/auth/token-verifier";
import { createLogger } from "../../src/logging/logger";

const ISSUER = "https://issuer.example";
const AUDIENCE = "handoff-agent-api";
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("agent token verification", () => {
  let privateKey: CryptoKey;
  let publicPem: string;
  let verifier: AgentTokenVerifier;

  const sign = (claims: Record<string, unknown> = {}, exp: string | number = "5m", audience = AUDIENCE) =>
    new SignJWT({ site: "demo", roles: ["rep"], ...claims })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setSubject("alice")
      .setExpirationTime(exp)
      .sign(privateKey);

  async function refusal(token: string): Promise<AgentAuthError> {
    const error = await verifier.verify(token).then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof AgentAuthError)) throw new Error(`expected a refusal, got ${String(error)}`);
    return error;
  }

  beforeAll(async () => {
    const pair = await generateKeyPair("ES256", { extractable: true });
    privateKey = pair.privateKey;
    publicPem = await exportSPKI(pair.publicKey);
    verifier = new AgentTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, key: publicKeyFrom(publicPem) });
  });

  it("accepts a good token and reads its principal", async () => {
    expect(await verifier.verify(await sign())).toEqual({ siteId: "demo", repId: "alice", roles: new Set(["rep"]) });
  });

  it("takes the public key as a JWK too", async () => {
    const jwk = await exportJWK(publicKeyFrom(publicPem));
    const byJwk = new AgentTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      key: publicKeyFrom(JSON.stringify(jwk)),
    });
    expect((await byJwk.verify(await sign())).repId).toBe("alice");
  });

  it("tolerates 60 s of clock skew on expiry, not more", async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await verifier.verify(await sign({}, now - 30))).repId).toBe("alice");
    expect(await refusal(await sign({}, now - 120))).toMatchObject({ status: 401, reason: "TOKEN_EXPIRED" });
  });

  it("refuses another issuer, another audience, a missing expiry and bad claims", async () => {
    const otherIssuer = await new SignJWT({ site: "demo", roles: ["rep"] })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer("https://elsewhere")
      .setAudience(AUDIENCE)
      .setSubject("alice")
      .setExpirationTime("5m")
      .sign(privateKey);
    expect((await refusal(otherIssuer)).message).toContain("iss");
    expect((await refusal(await sign({}, "5m", "another-api"))).message).toContain("aud");
    const noExpiry = await new SignJWT({ site: "demo", roles: ["rep"] })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject("alice")
      .sign(privateKey);
    expect((await refusal(noExpiry)).message).toContain("exp");
    expect((await refusal(await sign({ roles: ["root"] }))).message).toContain("roles");
  });

  it("refuses alg none and HS256 signed with the public key (algorithm confusion)", async () => {
    const payload = { site: "demo", sub: "alice", roles: ["rep"], iss: ISSUER, aud: AUDIENCE, exp: 9_999_999_999 };
    expect(await refusal(`${b64({ alg: "none", typ: "JWT" })}.${b64(payload)}.`)).toMatchObject({
      status: 401,
      reason: "TOKEN_INVALID",
    });
    const confused = await new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(publicPem));
    expect(await refusal(confused)).toMatchObject({ status: 401, reason: "TOKEN_INVALID" });
  });

  it("refuses a token of another key and a tampered payload", async () => {
    const other = await generateKeyPair("ES256");
    const foreign = await new SignJWT({ site: "demo", roles: ["rep"] })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject("alice")
      .setExpirationTime("5m")
      .sign(other.privateKey);
    expect((await refusal(foreign)).reason).toBe("TOKEN_INVALID");
    const [header, , signature] = (await sign()).split(".");
    const tampered = `${header}.${b64({ site: "demo", sub: "bob", roles: ["admin"], iss: ISSUER, aud: AUDIENCE, exp: 9_999_999_999 })}.${signature}`;
    expect((await refusal(tampered)).reason).toBe("TOKEN_INVALID");
  });

  it("reads the bearer token of an Authorization header", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    for (const header of [undefined, "", "Basic abc", "Bearer ", "Bearer a b"])
      expect(() => bearerToken(header)).toThrow(expect.objectContaining({ reason: "TOKEN_MISSING" }) as Error);
  });
});

describe("keys from the issuer's JWKS URL", () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: string } = { status: 200, body: "{}" };

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const signed = (privateKey: CryptoKey, kid: string) =>
    new SignJWT({ site: "demo", roles: ["rep"] })
      .setProtectedHeader({ alg: "EdDSA", kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject("alice")
      .setExpirationTime("5m")
      .sign(privateKey);

  it("verifies with the published key of the token's kid, and is unavailable (503) while the JWKS is", async () => {
    const { privateKey, publicKey } = await generateKeyPair("EdDSA");
    answer = { status: 200, body: JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: "k1" }] }) };
    const verifier = new AgentTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, key: remoteKeySet(url) });
    expect((await verifier.verify(await signed(privateKey, "k1"))).repId).toBe("alice");

    answer = { status: 500, body: "down" };
    const fresh = new AgentTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, key: remoteKeySet(url) });
    await expect(fresh.verify(await signed(privateKey, "k1"))).rejects.toMatchObject({
      status: 503,
      reason: "AUTH_UNAVAILABLE",
    });
    const unreachable = new AgentTokenVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      key: remoteKeySet("http://127.0.0.1:1/jwks.json"),
    });
    await expect(unreachable.verify(await signed(privateKey, "k1"))).rejects.toMatchObject({ status: 503 });
  });
});

describe("development tokens", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "dev-jwt-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("share one key however many processes create it at once, and verify against it", async () => {
    const keys = await Promise.all([1, 2, 3, 4].map(() => loadOrCreateDevSigningKey(dir)));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    const token = await signDevToken(keys[0]!, { siteId: "demo", repId: "alice", roles: ["supervisor"] });
    const verifier = new AgentTokenVerifier({
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      key: publicKeyFrom(JSON.stringify(keys[1]!.publicJwk)),
    });
    expect(await verifier.verify(token)).toEqual({ siteId: "demo", repId: "alice", roles: new Set(["supervisor"]) });
  });

  it("without an issuer the verifier accepts the development key's tokens, says so at info, and no others", async () => {
    const lines: string[] = [];
    const logger = createLogger("session-broker", "info", { write: (line: string) => void lines.push(line) });
    const verifier = await tokenVerifierFromSettings("AGENT", {}, logger, { api: "agent API", devKeyDir: dir });
    const key = await loadOrCreateDevSigningKey(dir);
    const token = await signDevToken(key, { siteId: "demo", repId: "alice", roles: ["rep"] });
    expect((await verifier.verify(token)).repId).toBe("alice");
    const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string });
    expect(logged.map((l) => l.level)).toEqual([30]);
    expect(logged[0]?.msg).toContain("DEVELOPMENT AUTH IS ON");
    const otherDir = mkdtempSync(path.join(tmpdir(), "dev-jwt-other-"));
    try {
      const foreign = await signDevToken(await loadOrCreateDevSigningKey(otherDir), {
        siteId: "demo",
        repId: "alice",
        roles: ["admin"],
      });
      await expect(verifier.verify(foreign)).rejects.toMatchObject({ status: 401 });
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
