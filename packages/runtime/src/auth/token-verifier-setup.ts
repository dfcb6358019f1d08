import { createPublicKey } from "node:crypto";
import type { Logger } from "../logging/logger";
import { DEV_AUDIENCE, DEV_ISSUER, loadOrCreateDevSigningKey } from "./dev-signing-key";
import { tokenSettingNames, type TokenSettings } from "./token-settings";
import { AgentTokenVerifier, publicKeyFrom, remoteKeySet } from "./token-verifier";

export interface TokenVerifierSetupOptions {
  /** What the tokens open, for the start-up log line (e.g. "agent API"). */
  api: string;
  /** Where the development key is kept. @default DEFAULT_DEV_KEY_DIR */
  devKeyDir?: string;
}

/**
 * The verifier of an API's bearer tokens from its settings (checked by `tokenSettingProblems`:
 * production has an issuer, an audience and one key source). Without an issuer, development auth:
 * tokens of the development key in the cache folder, which `npm run token` signs; said loudly at start.
 */
export async function tokenVerifierFromSettings<P extends string>(
  prefix: P,
  config: TokenSettings<P>,
  logger: Logger,
  options: TokenVerifierSetupOptions,
): Promise<AgentTokenVerifier> {
  const names = tokenSettingNames(prefix);
  const issuer = config[names.issuer];
  const audience = config[names.audience];
  if (issuer && audience) {
    const jwksUrl = config[names.jwksUrl];
    const key = jwksUrl ? remoteKeySet(jwksUrl) : publicKeyFrom(config[names.publicKey] ?? "");
    logger.info({ issuer, audience, keys: jwksUrl ?? "public key" }, `${options.api} tokens checked`);
    return new AgentTokenVerifier({ issuer, audience, key });
  }
  const dev = await loadOrCreateDevSigningKey(options.devKeyDir);
  logger.info(
    { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, keyFile: dev.file },
    `DEVELOPMENT AUTH IS ON: the ${options.api} accepts tokens of the development key (npm run token -- --site demo --rep alice [--role admin]); set ${names.issuer} for real use`,
  );
  return new AgentTokenVerifier({
    issuer: DEV_ISSUER,
    audience: DEV_AUDIENCE,
    key: createPublicKey({ key: dev.publicJwk, format: "jwk" }),
  });
}
