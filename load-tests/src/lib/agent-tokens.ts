import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEV_AUDIENCE, DEV_ISSUER, loadOrCreateDevSigningKey, signDevToken } from "@handoff/runtime";
import { onCleanup } from "./infra";

/** Agent tokens of an issuer private to this run, and the broker settings that trust only it. */
export interface BenchTokenIssuer {
  /** AGENT_JWT_ISSUER, AGENT_JWT_AUDIENCE and AGENT_JWT_PUBLIC_KEY (the public key as a JWK). */
  brokerEnv: Record<string, string>;
  /** A rep's token, valid for an hour (a run is bounded well below that). */
  repToken(siteId: string, repId: string): Promise<string>;
  /** The same trust for another API's tokens (`SUPERVISOR_JWT_ISSUER`... for reporting). */
  envFor(prefix: string): Record<string, string>;
  /** A supervisor's token, valid for an hour. */
  supervisorToken(siteId: string, subject: string): Promise<string>;
}

/**
 * A fresh ES256 key in a temporary folder (removed at the end of the run), configured on the broker as
 * an explicit issuer: tokens are checked as in production, not under development auth. The development
 * key's issuer and audience names are reused because its signer sets them.
 */
export async function benchTokenIssuer(): Promise<BenchTokenIssuer> {
  const dir = mkdtempSync(path.join(tmpdir(), "handoff-bench-jwt-"));
  onCleanup("bench signing key", () => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  const key = await loadOrCreateDevSigningKey(dir);
  const envFor = (prefix: string) => ({
    [`${prefix}_JWT_ISSUER`]: DEV_ISSUER,
    [`${prefix}_JWT_AUDIENCE`]: DEV_AUDIENCE,
    [`${prefix}_JWT_PUBLIC_KEY`]: JSON.stringify(key.publicJwk),
  });
  return {
    brokerEnv: envFor("AGENT"),
    repToken: (siteId, repId) => signDevToken(key, { siteId, repId, roles: ["rep"], ttlSeconds: 3_600 }),
    envFor,
    supervisorToken: (siteId, subject) =>
      signDevToken(key, { siteId, repId: subject, roles: ["supervisor"], ttlSeconds: 3_600 }),
  };
}
