import { ConfigInvalidError } from "@handoff/runtime";
import { describe, expect, it } from "vitest";
import { loadIntakeConfig } from "../../src/config";

const base = {
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/handoff",
  SESSION_BROKER_ADDRESS: "127.0.0.1:50053",
  ACD_ADDRESS: "127.0.0.1:50051",
  PRESENCE_ADDRESS: "127.0.0.1:50052",
  KAFKA_BROKERS: "127.0.0.1:9092",
  REDIS_URL: "redis://127.0.0.1:6379",
  GRPC_TLS_CERT: "/var/run/handoff/tls/tls.crt",
  GRPC_TLS_KEY: "/var/run/handoff/tls/tls.key",
  GRPC_TLS_CA: "/var/run/handoff/tls/ca.crt",
};

function problems(env: Record<string, string>): string[] {
  try {
    loadIntakeConfig(env);
  } catch (error) {
    if (error instanceof ConfigInvalidError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("admin token settings", () => {
  it("development without an issuer is development auth; production refuses it", () => {
    expect(problems(base)).toEqual([]);
    expect(problems({ ...base, NODE_ENV: "production" })).toEqual([expect.stringContaining("ADMIN_JWT_ISSUER")]);
  });

  it("an issuer needs an audience and exactly one key source", () => {
    const issuer = { ADMIN_JWT_ISSUER: "https://login.example.com", ADMIN_JWT_AUDIENCE: "handoff-admin" };
    expect(
      problems({ ...base, NODE_ENV: "production", ...issuer, ADMIN_JWKS_URL: "https://login.example.com/jwks" }),
    ).toEqual([]);
    expect(
      problems({ ...base, ADMIN_JWT_ISSUER: issuer.ADMIN_JWT_ISSUER, ADMIN_JWKS_URL: "https://x.example/jwks" }),
    ).toEqual([expect.stringContaining("ADMIN_JWT_AUDIENCE")]);
    expect(problems({ ...base, ...issuer })).toEqual([
      expect.stringContaining("exactly one of ADMIN_JWKS_URL and ADMIN_JWT_PUBLIC_KEY"),
    ]);
  });
});

describe("webhook destinations setting", () => {
  const production = {
    ...base,
    NODE_ENV: "production",
    ADMIN_JWT_ISSUER: "https://login.example.com",
    ADMIN_JWT_AUDIENCE: "handoff-admin",
    ADMIN_JWKS_URL: "https://login.example.com/jwks",
  };

  it("refuses non-public addresses in production and allows them in development unless set", () => {
    expect(loadIntakeConfig(production).WEBHOOK_NON_PUBLIC_ADDRESSES).toBe("refuse");
    expect(loadIntakeConfig(base).WEBHOOK_NON_PUBLIC_ADDRESSES).toBe("allow");
    expect(
      loadIntakeConfig({ ...production, WEBHOOK_NON_PUBLIC_ADDRESSES: "allow" }).WEBHOOK_NON_PUBLIC_ADDRESSES,
    ).toBe("allow");
    expect(problems({ ...base, WEBHOOK_NON_PUBLIC_ADDRESSES: "sometimes" })).toEqual([
      expect.stringContaining("WEBHOOK_NON_PUBLIC_ADDRESSES"),
    ]);
  });
});
