import type { problemBodySchema } from "@handoff/runtime";
import {
  testIssuer as sharedTestIssuer,
  type SessionStack,
  type TestIssuer as SharedTestIssuer,
} from "@handoff/testing";
import type { z } from "zod";
import type * as schemas from "../../src/http/schemas";

export { TEST_ISSUER } from "@handoff/testing";
export const TEST_AUDIENCE = "handoff-agent-api-test";

/** The shared test issuer; `brokerEnv` configures a broker to trust its public key. */
export interface TestIssuer extends SharedTestIssuer {
  brokerEnv: Record<string, string>;
}

export async function testIssuer(): Promise<TestIssuer> {
  const issuer = await sharedTestIssuer("AGENT", TEST_AUDIENCE);
  return { ...issuer, brokerEnv: issuer.env };
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
