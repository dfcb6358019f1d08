import { createPublicKey } from "node:crypto";
import type { Logger } from "@handoff/runtime";
import type { SessionBrokerConfig } from "../config";
import { DEV_AUDIENCE, DEV_ISSUER, loadOrCreateDevSigningKey } from "./dev-signing-key";
import { AgentTokenVerifier, publicKeyFrom, remoteKeySet } from "./token-verifier";

type AuthSettings = Pick<
  SessionBrokerConfig,
  "AGENT_JWT_ISSUER" | "AGENT_JWT_AUDIENCE" | "AGENT_JWKS_URL" | "AGENT_JWT_PUBLIC_KEY"
>;

/**
 * The verifier of agent tokens from the configuration (checked by loadSessionBrokerConfig: production
 * has an issuer, an audience and one key source). Without an issuer, development auth: tokens of the
 * development key in the cache folder, which `npm run token` signs; said loudly at start.
 */
export async function agentTokenVerifier(
  config: AuthSettings,
  logger: Logger,
  devKeyDir?: string,
): Promise<AgentTokenVerifier> {
  const { AGENT_JWT_ISSUER: issuer, AGENT_JWT_AUDIENCE: audience } = config;
  if (issuer && audience) {
    const key = config.AGENT_JWKS_URL
      ? remoteKeySet(config.AGENT_JWKS_URL)
      : publicKeyFrom(config.AGENT_JWT_PUBLIC_KEY ?? "");
    logger.info({ issuer, audience, keys: config.AGENT_JWKS_URL ?? "public key" }, "agent API tokens checked");
    return new AgentTokenVerifier({ issuer, audience, key });
  }
  const dev = await loadOrCreateDevSigningKey(devKeyDir);
  logger.info(
    { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, keyFile: dev.file },
    "DEVELOPMENT AUTH IS ON: the agent API accepts tokens of the development key (npm run token -- --site demo --rep alice); set AGENT_JWT_ISSUER for real use",
  );
  return new AgentTokenVerifier({
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    key: createPublicKey({ key: dev.publicJwk, format: "jwk" }),
  });
}
