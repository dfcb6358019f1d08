import { groupCode, normalizeCode, randomCode } from "./crockford-code";
import { InvalidFieldError } from "./errors";

/** The three credentials a customer or rep can redeem; also the `kind` of their audit rows. */
export type CredentialKindName = "session_key" | "invitation" | "access_link";

/** How a rep sends an invitation link: e-mail goes through the notifier, chat and phone through the rep. */
export type InvitationChannelName = "email" | "chat" | "phone";

/** 10 Crockford base32 characters = 50 bits (the issue asks for ≥ 50), short enough to read out. */
export const SESSION_KEY_LENGTH = 10;
/**
 * An access link's secret travels apart from the link (read out, or in a second message), so it is
 * Crockford base32 too: 20 characters = 100 bits, on top of the link's 128-bit token.
 */
export const ACCESS_SECRET_LENGTH = 20;
/** Invitation and access link tokens: 16 random bytes = 128 bits, base64url (22 characters). */
export const LINK_TOKEN_BYTES = 16;
const LINK_TOKEN = /^[A-Za-z0-9_-]{22}$/;

const SECOND = 1_000;
const DAY = 86_400_000;
/**
 * What a request may ask for as a credential's life (0 takes the site's default). The upper bounds
 * are the site settings' upper bounds; below, a caller may make a credential as short-lived as he
 * likes from one second (tests prove expiry with it instead of waiting minutes).
 */
export const REQUESTED_TTL_BOUNDS: Record<CredentialKindName, readonly [number, number]> = {
  session_key: [SECOND, DAY],
  invitation: [SECOND, 30 * DAY],
  access_link: [SECOND, 30 * DAY],
};

export interface IssuedSessionKey {
  /** What the customer types (and what is hashed). */
  key: string;
  /** For people: "7K3M-9QX2-TD". */
  displayKey: string;
}

export function newSessionKey(pick?: (max: number) => number): IssuedSessionKey {
  const key = randomCode(SESSION_KEY_LENGTH, pick);
  return { key, displayKey: groupCode(key) };
}

export interface IssuedAccessSecret {
  /** What is hashed. */
  secret: string;
  /** For people, in groups of four; what the rep is given. */
  displaySecret: string;
}

export function newAccessSecret(pick?: (max: number) => number): IssuedAccessSecret {
  const secret = randomCode(ACCESS_SECRET_LENGTH, pick);
  return { secret, displaySecret: groupCode(secret) };
}

function parseCode(input: string, length: number, field: string): string {
  const code = normalizeCode(input);
  if (code === undefined || code.length !== length)
    throw new InvalidFieldError(field, `must be ${length} characters of 0-9 and A-Z (spaces and hyphens are ignored)`);
  return code;
}

/**
 * A session key as the customer typed it, normalised ("7k3m 9qx2-td" → "7K3M9QX2TD"). A key of the
 * wrong shape is a typing error, not a guess: it is refused as INVALID_ARGUMENT and not counted.
 * @throws InvalidFieldError naming `field`
 */
export const parseSessionKey = (input: string, field = "session_key"): string =>
  parseCode(input, SESSION_KEY_LENGTH, field);

/** @throws InvalidFieldError naming `field` */
export const parseAccessSecret = (input: string, field = "secret"): string =>
  parseCode(input, ACCESS_SECRET_LENGTH, field);

/** @throws InvalidFieldError naming `field` */
export function parseLinkToken(input: string, field: string): string {
  if (!LINK_TOKEN.test(input)) throw new InvalidFieldError(field, "is not a link token");
  return input;
}

/** The life of a new credential: the requested one, or the site's default when 0 was asked for. */
export const credentialExpiry = (nowMs: number, requestedTtlMs: number, siteDefaultMs: number): number =>
  nowMs + (requestedTtlMs > 0 ? requestedTtlMs : siteDefaultMs);

/** What decides whether a stored credential may still be redeemed. */
export interface CredentialState {
  expiresAtMs: number;
  /** When a one-time credential was used (keys, invitations). */
  usedAtMs?: number | null;
  revokedAtMs?: number | null;
}

/** Unused, not revoked and not expired at `nowMs` (a credential expires at its expiry instant). */
export const isRedeemable = (state: CredentialState, nowMs: number): boolean =>
  state.usedAtMs == null && state.revokedAtMs == null && nowMs < state.expiresAtMs;
