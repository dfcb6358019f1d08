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
import { WebSocket } from "ws";

type Infrastructure = Awaited<ReturnType<InfrastructureHarness["startInfrastructure"]>>;

/** A frame of the agent socket, as far as this test reads it. */
type SocketFrame = { type: string; sessionId?: string; reason?: string } & Record<string, unknown>;

/**
 * PostgreSQL stopped under a running broker: its callers must hear "unavailable, ask again" (gRPC
 * UNAVAILABLE, HTTP 503 with Retry-After, naming the dependency), which clients retry, not
 * INTERNAL / 500, which says a bug; the rep's socket gets the same classification in an error frame.
 * Once PostgreSQL is back the same calls are answered again.
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

  /** The rep's socket on the broker's agent API, and every frame it received, in order. */
  async function repSocket(): Promise<{ ws: WebSocket; frames: SocketFrame[] }> {
    const ws = new WebSocket(`${agentApi.replace(/^http/, "ws")}/v1/socket`, ["handoff.v1"], {
      headers: { authorization: `Bearer ${token}` },
    });
    const frames: SocketFrame[] = [];
    ws.on("message", (data: Buffer) => frames.push(JSON.parse(data.toString()) as SocketFrame));
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    return { ws, frames };
  }

  /** Asks to follow `sessionId` until the socket answers an error frame for it that `match` accepts. */
  const followUntil = (
    socket: { ws: WebSocket; frames: SocketFrame[] },
    sessionId: string,
    match: (frame: SocketFrame) => boolean,
  ) =>
    eventually(
      async () => {
        socket.ws.send(JSON.stringify({ type: "follow", sessionId }));
        await new Promise((resolve) => setTimeout(resolve, 250));
        return socket.frames.find((f) => f.type === "error" && f.sessionId === sessionId && match(f));
      },
      30_000,
      `an error frame for ${sessionId}`,
    );

  it("tells the rep's socket DEPENDENCY_UNAVAILABLE naming postgresql for a follow while it is stopped, and follows again once it is back", async () => {
    const socket = await repSocket();
    try {
      await infra.restart("DATABASE_URL", "SIGINT", undefined, async () => {
        const refused = await followUntil(socket, "s-ws-during", () => true);
        expect(refused).toEqual({
          type: "error",
          reason: "DEPENDENCY_UNAVAILABLE",
          sessionId: "s-ws-during",
          dependency: "postgresql",
          retryAfterS: 2,
          detail: "postgresql is unavailable; retry in 2 s",
        });
      });
      // Back: the same command reads PostgreSQL again (an unknown session is not his).
      const after = await followUntil(socket, "s-ws-after", (f) => f.reason !== "DEPENDENCY_UNAVAILABLE");
      expect(after).toEqual({ type: "error", reason: "NOT_A_PARTICIPANT", sessionId: "s-ws-after" });
      expect(socket.ws.readyState).toBe(WebSocket.OPEN);
    } finally {
      socket.ws.close();
    }
  }, 120_000);
});
