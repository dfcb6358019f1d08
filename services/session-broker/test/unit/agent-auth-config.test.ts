import { describe, expect, it } from "vitest";
import { ConfigInvalidError } from "@handoff/runtime";
import { loadSessionBrokerConfig } from "../../src/config";

const base = {
  DATABASE_URL: "postgres://postgres@127.0.0.1:5432/handoff",
  KAFKA_BROKERS: "127.0.0.1:9092",
  REDIS_URL: "redis://127.0.0.1:6379",
  ACD_ADDRESS: "127.0.0.1:50051",
  PRESENCE_ADDRESS: "127.0.0.1:50052",
  GRPC_TLS_CERT: "/var/run/handoff/tls/tls.crt",
  GRPC_TLS_KEY: "/var/run/handoff/tls/tls.key",
  GRPC_TLS_CA: "/var/run/handoff/tls/ca.crt",
};
const issuer = {
  AGENT_JWT_ISSUER: "https://login.example.com",
  AGENT_JWT_AUDIENCE: "handoff-agent-api",
  AGENT_JWKS_URL: "https://login.example.com/.well-known/jwks.json",
};
const production = { NODE_ENV: "production", CREDENTIAL_SECRET: "x".repeat(32) };

function problems(env: Record<string, string>): string[] {
  try {
    loadSessionBrokerConfig(env);
  } catch (error) {
    if (error instanceof ConfigInvalidError) return [...error.problems];
    throw error;
  }
  return [];
}

describe("agent token settings", () => {
  it("development without an issuer is development auth", () => {
    expect(loadSessionBrokerConfig(base).AGENT_JWT_ISSUER).toBeUndefined();
  });

  it("production refuses to start without an issuer", () => {
    expect(problems({ ...base, ...production })).toEqual([expect.stringContaining("AGENT_JWT_ISSUER")]);
    expect(problems({ ...base, ...production, ...issuer })).toEqual([]);
  });

  it("an issuer needs an audience and exactly one key source", () => {
    expect(problems({ ...base, ...issuer, AGENT_JWT_AUDIENCE: "" })).not.toEqual([]);
    const noAudience = { AGENT_JWT_ISSUER: issuer.AGENT_JWT_ISSUER, AGENT_JWKS_URL: issuer.AGENT_JWKS_URL };
    expect(problems({ ...base, ...noAudience })).toEqual([expect.stringContaining("AGENT_JWT_AUDIENCE")]);
    const noKey = { AGENT_JWT_ISSUER: issuer.AGENT_JWT_ISSUER, AGENT_JWT_AUDIENCE: issuer.AGENT_JWT_AUDIENCE };
    expect(problems({ ...base, ...noKey })).toEqual([expect.stringContaining("AGENT_JWKS_URL")]);
    expect(problems({ ...base, ...issuer, AGENT_JWT_PUBLIC_KEY: "-----BEGIN PUBLIC KEY-----" })).toEqual([
      expect.stringContaining("exactly one"),
    ]);
    expect(problems({ ...base, ...issuer, AGENT_JWKS_URL: "ftp://login.example.com/jwks" })).not.toEqual([]);
  });
});
