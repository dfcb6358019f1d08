import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { identityKeySetSchema } from "../../src/domain/identity-keys";
import { templateProblem } from "../../src/domain/message-template";
import { portalConfigSchema } from "../../src/domain/portal-config";
import { portalConfigChangeProblems } from "../../src/domain/portal-config-change";
import { isExactOrigin, isWebAddress } from "../../src/domain/web-origin";
import { fullPortalConfig } from "../support/portal-configs";

describe("message templates", () => {
  it("take {{position}} and {{estimatedWait}}, with or without inner spaces, and plain text", () => {
    for (const ok of [
      "Hello.",
      "You are {{position}}.",
      "About {{ estimatedWait }}, number {{position}}.",
      "a { b } c",
    ])
      expect(templateProblem(ok)).toBeUndefined();
  });

  it("refuse any other placeholder, naming it, and braces left open", () => {
    expect(templateProblem("{{queueLength}}")).toContain("unknown placeholder {{queueLength}}");
    expect(templateProblem("{{}}")).toContain("unknown placeholder");
    expect(templateProblem("You are {{position")).toContain("not closed");
    expect(templateProblem("You are position}}")).toContain("not closed");
  });
});

describe("web origins and addresses", () => {
  it("an origin is exactly what a browser sends: scheme, host, a port only when not the default", () => {
    for (const ok of [
      "https://www.example.com",
      "https://example.com:8443",
      "http://localhost:5173",
      "http://127.0.0.1",
    ])
      expect(isExactOrigin(ok)).toBe(true);
    for (const bad of [
      "https://www.example.com/",
      "https://www.example.com/help",
      "https://WWW.example.com",
      "https://example.com:443",
      "https://*.example.com",
      "http://www.example.com",
      "www.example.com",
      "null",
    ])
      expect(isExactOrigin(bad)).toBe(false);
  });

  it("a fallback address is https (http on loopback) and carries no credentials", () => {
    expect(isWebAddress("https://help.example.com/contact?from=portal")).toBe(true);
    expect(isWebAddress("http://localhost:8080/help")).toBe(true);
    expect(isWebAddress("http://help.example.com/")).toBe(false);
    expect(isWebAddress("https://user:secret@help.example.com/")).toBe(false);
    expect(isWebAddress("javascript:alert(1)")).toBe(false);
  });
});

describe("identity keys", () => {
  it("take public P-256 and Ed25519 keys with a kid", () => {
    const ec = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" });
    const ed = generateKeyPairSync("ed25519").publicKey.export({ format: "jwk" });
    const parsed = identityKeySetSchema.parse({
      keys: [
        { ...ec, kid: "a", alg: "ES256" },
        { ...ed, kid: "b" },
      ],
    });
    expect(parsed.keys.map((k) => [k.kid, k.kty, k.crv])).toEqual([
      ["a", "EC", "P-256"],
      ["b", "OKP", "Ed25519"],
    ]);
  });
});

describe("a new portal config version", () => {
  const current = portalConfigSchema.parse(fullPortalConfig());

  it("may change anything else, and the agreement with its version", () => {
    const next = portalConfigSchema.parse({
      ...fullPortalConfig(),
      agreement: { version: "2027-01", text: "New terms." },
    });
    expect(portalConfigChangeProblems(current, next)).toEqual([]);
    expect(portalConfigChangeProblems(undefined, next)).toEqual([]);
  });

  it("may not change the agreement text under the same version", () => {
    const next = portalConfigSchema.parse({
      ...fullPortalConfig(),
      agreement: { version: "2026-11", text: "New terms." },
    });
    expect(portalConfigChangeProblems(current, next)).toEqual([
      { field: "config.agreement.version", problem: expect.stringContaining("2026-11") as string },
    ]);
  });
});
