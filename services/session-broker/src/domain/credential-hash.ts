import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** What a stored hash is of; part of the HMAC input so a hash of one kind never matches another. */
export type CredentialKind =
  | "customer_token"
  | "session_key"
  | "invitation"
  | "access_link"
  | "access_secret"
  | "resume_token"
  | "start_customer_token";

/**
 * Customer tokens, session keys and link tokens are stored only as HMAC-SHA256 under a server
 * secret: a leaked table gives neither the credentials nor (for short keys) a way to brute-force them
 * offline.
 */
export class CredentialHasher {
  constructor(private readonly secret: string) {}

  hash(kind: CredentialKind, siteId: string, value: string): Buffer {
    return createHmac("sha256", this.secret).update(`${kind}\0${siteId}\0${value}`).digest();
  }

  /**
   * A token only a holder of the secret can compute, and compute again from the same `value`: the
   * customer token of a start with an idempotency key, so a retry of that start answers the same
   * token although only its hash is stored.
   */
  derive(kind: CredentialKind, siteId: string, value: string): string {
    return this.hash(kind, siteId, value).toString("base64url");
  }

  matches(stored: Buffer, kind: CredentialKind, siteId: string, value: string): boolean {
    const candidate = this.hash(kind, siteId, value);
    return stored.length === candidate.length && timingSafeEqual(stored, candidate);
  }
}

/** A random url-safe token of `bytes` bytes (16 bytes = 128 bits). */
export const randomToken = (bytes = 16): string => randomBytes(bytes).toString("base64url");
