import { status } from "@grpc/grpc-js";
import { errorInfo } from "@handoff/runtime";
import {
  asSystem,
  eventually,
  loadInfrastructureHarness,
  newSiteId,
  refusal,
  SessionStack,
  type InfrastructureHarness,
} from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type Infrastructure = Awaited<ReturnType<InfrastructureHarness["startInfrastructure"]>>;

/**
 * PostgreSQL stopped under a running broker: its callers must hear "unavailable, ask again" (gRPC
 * UNAVAILABLE, HTTP 503 with Retry-After, naming the dependency), which clients retry, not
 * INTERNAL / 500, which says a bug. Once PostgreSQL is back the same calls are answered again.
 */
describe("the session-broker while PostgreSQL is down", () => {
  let infra: Infrastructure;
  let stack: SessionStack;
  let agentApi: string;
  let token: string;
  beforeAll(async () => {
    const harness = await loadInfrastructureHarness();
    // A PostgreSQL of its own (the test stops it); Redis and Kafka are the shared test servers.
    infra = await harness.startInfrastructure({ redis: false, kafka: false, postgres: true, env: {} });
    stack = await SessionStack.start({ brokerEnv: { DATABASE_URL: infra.env.DATABASE_URL! } });
    agentApi = `http://127.0.0.1:${stack.brokers[0]!.process.httpPort}`;
    const signed = await fetch(`${agentApi}/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ siteId: newSiteId(), repId: "alice" }),
    });
    token = ((await signed.json()) as { token: string }).token;
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await infra?.stop();
  });

  const getSession = (sessionId: string) =>
    stack.broker.getSession({ siteId: newSiteId(), sessionId, requester: asSystem() });
  const agentGet = (sessionId: string) =>
    fetch(`${agentApi}/v1/sessions/${sessionId}`, { headers: { authorization: `Bearer ${token}` } });

  it("answers UNAVAILABLE and 503 naming postgresql while it is stopped, and answers again once it is back", async () => {
    // Up: an unknown session is looked up in PostgreSQL and not found.
    expect((await refusal(getSession("s-before"))).code).toBe(status.NOT_FOUND);
    expect((await agentGet("s-before")).status).toBe(404);

    await infra.restart("DATABASE_URL", "SIGINT", undefined, async () => {
      const refused = await refusal(getSession("s-during"));
      expect(refused.code).toBe(status.UNAVAILABLE);
      expect(refused.details).toMatch(/^postgresql is unavailable/);
      expect(errorInfo(refused)).toMatchObject({
        reason: "DEPENDENCY_UNAVAILABLE",
        metadata: { dependency: "postgresql" },
      });

      const answer = await agentGet("s-during");
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("2");
      expect(answer.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(await answer.json()).toMatchObject({ reason: "DEPENDENCY_UNAVAILABLE", dependency: "postgresql" });
    });

    // Back: the pool opens new connections for the same calls.
    const after = await eventually(
      async () => {
        const code = (await refusal(getSession("s-after"))).code;
        if (code !== status.NOT_FOUND) throw new Error(`GetSession answered ${code}`);
        return code;
      },
      30_000,
      "GetSession answered from PostgreSQL again",
    );
    expect(after).toBe(status.NOT_FOUND);
    expect((await agentGet("s-after")).status).toBe(404);
  }, 120_000);
});
