import { randomUUID } from "node:crypto";
import { exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import type { problemBodySchema } from "@handoff/runtime";
import type { SessionStack } from "@handoff/testing";
import type { z } from "zod";
import type * as schemas from "../../src/http/schemas";

export const TEST_ISSUER = "https://issuer.test.handoff";
export const TEST_AUDIENCE = "handoff-agent-api-test";

/** A signing key pair for a test's issuer; `brokerEnv` configures a broker to trust its public key. */
export interface TestIssuer {
  privateKey: CryptoKey;
  publicPem: string;
  brokerEnv: Record<string, string>;
  /** A token for `repId` of `siteId`; `claims` and `options` change what the test is about. */
  token(
    siteId: string,
    repId: string,
    roles?: string[],
    options?: { expiresIn?: string | number; issuer?: string; audience?: string; claims?: JWTPayload },
  ): Promise<string>;
}

export async function testIssuer(): Promise<TestIssuer> {
  const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
  const publicPem = await exportSPKI(publicKey);
  return {
    privateKey,
    publicPem,
    brokerEnv: { AGENT_JWT_ISSUER: TEST_ISSUER, AGENT_JWT_AUDIENCE: TEST_AUDIENCE, AGENT_JWT_PUBLIC_KEY: publicPem },
    token: (siteId, repId, roles = ["rep"], options = {}) =>
      new SignJWT({ site: siteId, roles, ...options.claims })
        .setProtectedHeader({ alg: "RS256", typ: "JWT" })
        .setIssuer(options.issuer ?? TEST_ISSUER)
        .setAudience(options.audience ?? TEST_AUDIENCE)
        .setSubject(repId)
        .setJti(randomUUID())
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? "10m")
        .sign(privateKey),
  };
}

export type SessionJson = z.infer<typeof schemas.sessionView>;
export type Problem = z.infer<typeof problemBodySchema>;

/** Every field any answer of the agent API may hold (a problem body's too), all optional. */
export type AgentBody = Partial<
  Problem &
    z.infer<typeof schemas.sessionWithPosition> &
    z.infer<typeof schemas.sessionsResponse> &
    z.infer<typeof schemas.repResponse> &
    z.infer<typeof schemas.queuesResponse> &
    z.infer<typeof schemas.sequenceResponse> &
    z.infer<typeof schemas.invitationIdResponse> &
    z.infer<typeof schemas.requestIdResponse> &
    z.infer<typeof schemas.heartbeatResponse> &
    z.infer<typeof schemas.sessionKeyResponse> &
    z.infer<typeof schemas.invitationResponse>
>;

export interface AgentResponse {
  status: number;
  contentType: string;
  body: AgentBody;
  headers: Headers;
}

/** A JSON client of one broker's agent API. */
export class AgentHttp {
  constructor(readonly baseUrl: string) {}

  static of(stack: SessionStack, replica = 0): AgentHttp {
    return new AgentHttp(`http://127.0.0.1:${stack.brokers[replica]!.process.httpPort}`);
  }

  async call(
    method: "GET" | "POST" | "PUT",
    path: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<AgentResponse> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      contentType: response.headers.get("content-type") ?? "",
      body: text ? (JSON.parse(text) as AgentBody) : {},
      headers: response.headers,
    };
  }

  get = (path: string, token: string | undefined) => this.call("GET", path, token);
  post = (path: string, token: string | undefined, body?: unknown) => this.call("POST", path, token, body);
  put = (path: string, token: string | undefined, body?: unknown) => this.call("PUT", path, token, body);
}
