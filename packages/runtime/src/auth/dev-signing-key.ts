import { randomUUID } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from "jose";
import type { AgentRole } from "./agent-principal";

/** Issuer and audience of development tokens (used only when no AGENT_JWT_ISSUER is configured). */
export const DEV_ISSUER = "handoff-development";
export const DEV_AUDIENCE = "handoff-agent-api";
const DEV_ALG = "ES256";
const FILE = "signing-key.json";

/** The repository's git-ignored cache folder for the development key (from dist/auth or src/auth). */
export const DEFAULT_DEV_KEY_DIR = path.resolve(__dirname, "..", "..", "..", "..", ".cache", "dev-jwt");

export interface DevSigningKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  /** Where it is kept. */
  file: string;
}

/**
 * The development key pair in `dir`, created on first use. Several processes may start at once (a test
 * run's brokers): each writes its own candidate and links it into place, which only the first manages,
 * and then all read the one that won.
 */
export async function loadOrCreateDevSigningKey(dir = DEFAULT_DEV_KEY_DIR): Promise<DevSigningKey> {
  const file = path.join(dir, FILE);
  const existing = readKey(file);
  if (existing) return existing;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = await generateKeyPair(DEV_ALG, { extractable: true });
  const kid = `dev-${randomUUID().slice(0, 8)}`;
  const candidate = `${file}.${process.pid}.${kid}`;
  const stored = { kid, privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey) };
  writeFileSync(candidate, JSON.stringify(stored, null, 2), { mode: 0o600 });
  try {
    linkSync(candidate, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    rmSync(candidate, { force: true });
  }
  const winner = readKey(file);
  if (!winner) throw new Error(`development signing key ${file} is unreadable`);
  return winner;
}

function readKey(file: string): DevSigningKey | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const parsed = JSON.parse(text) as Omit<DevSigningKey, "file">;
  return { ...parsed, file };
}

export interface DevTokenInput {
  siteId: string;
  repId: string;
  roles: AgentRole[];
  /** @default 8 h */
  ttlSeconds?: number;
}

/** A token for the development issuer, as `npm run token` prints it. */
export async function signDevToken(key: DevSigningKey, input: DevTokenInput): Promise<string> {
  const privateKey = await importJWK(key.privateJwk, DEV_ALG);
  return new SignJWT({ site: input.siteId, roles: input.roles })
    .setProtectedHeader({ alg: DEV_ALG, kid: key.kid, typ: "JWT" })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setSubject(input.repId)
    .setIssuedAt()
    .setExpirationTime(`${input.ttlSeconds ?? 8 * 3600}s`)
    .sign(privateKey);
}
