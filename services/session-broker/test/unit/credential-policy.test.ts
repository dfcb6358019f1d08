import { describe, expect, it } from "vitest";
import { CROCKFORD_ALPHABET, groupCode, normalizeCode } from "../../src/domain/crockford-code";
import {
  ACCESS_SECRET_LENGTH,
  credentialExpiry,
  isRedeemable,
  newAccessSecret,
  newSessionKey,
  parseAccessSecret,
  parseLinkToken,
  parseSessionKey,
  SESSION_KEY_LENGTH,
} from "../../src/domain/credential-policy";
import { InvalidFieldError } from "../../src/domain/errors";
import { randomToken } from "../../src/domain/credential-hash";

describe("session keys", () => {
  it("carry at least 50 bits in 10 characters of the Crockford alphabet", () => {
    expect(CROCKFORD_ALPHABET).toHaveLength(32);
    expect(SESSION_KEY_LENGTH * Math.log2(CROCKFORD_ALPHABET.length)).toBeGreaterThanOrEqual(50);
    for (let i = 0; i < 200; i++) {
      const { key, displayKey } = newSessionKey();
      expect(key).toMatch(/^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{10}$/);
      expect(displayKey).toBe(`${key.slice(0, 4)}-${key.slice(4, 8)}-${key.slice(8)}`);
    }
  });

  it("leave out the look-alikes I, L, O and U", () => {
    for (const letter of "ILOU") expect(CROCKFORD_ALPHABET).not.toContain(letter);
  });

  it("use every character of the alphabet evenly", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 3_200; i++)
      for (const char of newSessionKey().key) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // 32,000 characters, 1,000 expected each; a fair draw stays within ±20 % (about 6 standard deviations).
    for (const count of counts.values()) expect(Math.abs(count - 1_000)).toBeLessThan(200);
  });

  it("are drawn from the picker they are given", () => {
    const picks = [7, 19, 3, 20, 9, 23, 29, 2, 26, 13];
    let i = 0;
    expect(newSessionKey(() => picks[i++]!)).toEqual({ key: "7K3M9QX2TD", displayKey: "7K3M-9QX2-TD" });
  });

  it("are read as people type them: any case, spaces and hyphens, I and L as 1, O as 0", () => {
    expect(parseSessionKey("7K3M-9QX2-TD")).toBe("7K3M9QX2TD");
    expect(parseSessionKey(" 7k3m 9qx2 td ")).toBe("7K3M9QX2TD");
    expect(parseSessionKey("IL0O-abcd-ef")).toBe("1100ABCDEF");
    expect(parseSessionKey("7k3m\t9QX2-\u00a0td")).toBe("7K3M9QX2TD");
  });

  it("refuse a key of the wrong shape as a bad session_key, not as a guess", () => {
    for (const bad of ["", "7K3M9QX2T", "7K3M9QX2TDX", "7K3M9QX2TU", "7K3M9QX2T!", "7K3M_9QX2TD"]) {
      expect(() => parseSessionKey(bad)).toThrow(InvalidFieldError);
      try {
        parseSessionKey(bad);
      } catch (error) {
        expect((error as InvalidFieldError).field).toBe("session_key");
      }
    }
  });

  it("group codes of any length in fours", () => {
    expect(groupCode("ABCDEFGHJK")).toBe("ABCD-EFGH-JK");
    expect(groupCode("ABCD")).toBe("ABCD");
    expect(normalizeCode("abcd-efgh")).toBe("ABCDEFGH");
    expect(normalizeCode("abcu")).toBeUndefined();
  });
});

describe("access link secrets and link tokens", () => {
  it("give secrets of 100 bits that read back whatever the grouping", () => {
    const { secret, displaySecret } = newAccessSecret();
    expect(secret).toHaveLength(ACCESS_SECRET_LENGTH);
    expect(parseAccessSecret(displaySecret)).toBe(secret);
    expect(parseAccessSecret(displaySecret.toLowerCase().replace(/-/g, " "))).toBe(secret);
    expect(() => parseAccessSecret(secret.slice(1))).toThrow(/secret: must be 20 characters/);
  });

  it("accept only 128-bit base64url tokens", () => {
    const token = randomToken(16);
    expect(parseLinkToken(token, "token")).toBe(token);
    expect(() => parseLinkToken(token.slice(1), "invitation_token")).toThrow(/invitation_token: is not a link token/);
    expect(() => parseLinkToken(`${token.slice(1)}+`, "token")).toThrow(InvalidFieldError);
  });
});

describe("credential life", () => {
  it("takes the requested time to live, or the site's default for 0", () => {
    expect(credentialExpiry(1_000, 5_000, 600_000)).toBe(6_000);
    expect(credentialExpiry(1_000, 0, 600_000)).toBe(601_000);
  });

  it("is over at the expiry instant, once used and once revoked", () => {
    const live = { expiresAtMs: 10_000, usedAtMs: null, revokedAtMs: null };
    expect(isRedeemable(live, 9_999)).toBe(true);
    expect(isRedeemable(live, 10_000)).toBe(false);
    expect(isRedeemable({ ...live, usedAtMs: 5_000 }, 6_000)).toBe(false);
    expect(isRedeemable({ ...live, revokedAtMs: 5_000 }, 6_000)).toBe(false);
    expect(isRedeemable({ expiresAtMs: 10_000 }, 6_000)).toBe(true);
  });
});
