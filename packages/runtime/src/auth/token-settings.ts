import { z } from "zod";

const issuerText = z.string().min(1).max(500).optional();
const jwksUrl = z.url({ protocol: /^https?$/ }).optional();
const publicKeyText = z.string().min(1).max(10_000).optional();

/** The names of one API's token settings, e.g. `AGENT_JWT_ISSUER` for the prefix `AGENT`. */
export interface TokenSettingNames<P extends string> {
  issuer: `${P}_JWT_ISSUER`;
  audience: `${P}_JWT_AUDIENCE`;
  /** The issuer's published signing keys (JWKS), fetched and cached by jose. */
  jwksUrl: `${P}_JWKS_URL`;
  /** One public key instead of a JWKS: PEM (SPKI) or a JWK as JSON. */
  publicKey: `${P}_JWT_PUBLIC_KEY`;
}

export type TokenSettingsShape<P extends string> = Record<`${P}_JWT_ISSUER` | `${P}_JWT_AUDIENCE`, typeof issuerText> &
  Record<`${P}_JWKS_URL`, typeof jwksUrl> &
  Record<`${P}_JWT_PUBLIC_KEY`, typeof publicKeyText>;

/** The parsed settings of `tokenSettings(prefix)`. */
export type TokenSettings<P extends string> = Partial<Record<TokenSettingNames<P>[keyof TokenSettingNames<P>], string>>;

export const tokenSettingNames = <P extends string>(prefix: P): TokenSettingNames<P> => ({
  issuer: `${prefix}_JWT_ISSUER`,
  audience: `${prefix}_JWT_AUDIENCE`,
  jwksUrl: `${prefix}_JWKS_URL`,
  publicKey: `${prefix}_JWT_PUBLIC_KEY`,
});

/**
 * The zod settings of an API's bearer tokens, to spread into a service's settings: an unset issuer
 * means development auth (the development key, see dev-signing-key.ts). Check them together with
 * `tokenSettingProblems`.
 */
export function tokenSettings<P extends string>(prefix: P): TokenSettingsShape<P> {
  const names = tokenSettingNames(prefix);
  return {
    [names.issuer]: issuerText,
    [names.audience]: issuerText,
    [names.jwksUrl]: jwksUrl,
    [names.publicKey]: publicKeyText,
  } as TokenSettingsShape<P>;
}

/**
 * What is wrong with the token settings as a whole, each naming its variable: production refuses
 * development auth (no issuer); an issuer needs an audience and exactly one key source.
 */
export function tokenSettingProblems<P extends string>(
  prefix: P,
  config: TokenSettings<P>,
  production: boolean,
): string[] {
  const names = tokenSettingNames(prefix);
  const problems: string[] = [];
  if (production && !config[names.issuer])
    problems.push(`${names.issuer}: is required in production (development auth is refused)`);
  if (config[names.issuer]) {
    if (!config[names.audience]) problems.push(`${names.audience}: is required with ${names.issuer}`);
    if (!config[names.jwksUrl] === !config[names.publicKey])
      problems.push(
        `${names.jwksUrl}: set exactly one of ${names.jwksUrl} and ${names.publicKey} with ${names.issuer}`,
      );
  }
  return problems;
}
