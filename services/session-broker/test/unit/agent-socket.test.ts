import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import express from "express";
import { WebSocket } from "ws";
import type { Offer } from "@handoff/proto/acd_service";
import type { Logger } from "@handoff/runtime";
import { mountAgentSocket, type AgentSocketServer } from "../../src/socket/agent-socket";
import type { RepChannelDeps } from "../../src/socket/rep-channel";
import { CLOSE_CODES, type SocketLimits } from "../../src/socket/socket-protocol";

async function until(probe: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The socket endpoint on an in-process server with fake offers, sessions and presence. */
async function endpoint(limits: Partial<SocketLimits>, overrides: Partial<RepChannelDeps> = {}) {
  let offerTo: ((offer: Offer) => void) | undefined;
  const presenceCalls: string[] = [];
  const warnings: string[] = [];
  const logger = {
    warn: (_fields: unknown, message: string) => void warnings.push(message),
    debug: () => undefined,
    error: () => undefined,
  } as unknown as Logger;
  const deps: RepChannelDeps = {
    logger,
    store: { find: () => Promise.resolve(undefined) },
    participants: { sessionIdsOfRep: () => Promise.resolve([]), all: () => Promise.resolve([]) },
    feed: { watch: () => Promise.resolve() },
    repOffers: {
      watch: (_site, _rep, listener) => {
        offerTo = listener;
        return () => undefined;
      },
    },
    ...overrides,
  };
  const app = express();
  const sockets: AgentSocketServer = mountAgentSocket(app, deps, {
    teamMembers: () => Promise.resolve([]),
    verifier: {
      verify: (token) =>
        token === "good" ? Promise.resolve({ siteId: "s", repId: "alice" }) : Promise.reject(new Error("bad token")),
    },
    presence: {
      heartbeat: (_s, _r, id) => {
        presenceCalls.push(`heartbeat ${id}`);
        return Promise.resolve();
      },
      disconnect: (_s, _r, id) => {
        presenceCalls.push(`disconnect ${id}`);
        return Promise.resolve();
      },
    },
    limits,
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/v1/socket`;
  const offer = (n: number) =>
    offerTo!({
      siteId: "s",
      sessionId: `session-${n}`,
      repId: "alice",
      epoch: n,
      expiresAtMs: 0,
      fromQueue: undefined,
    });
  return { url, sockets, offer, presenceCalls, warnings, stop: () => server.close() };
}

describe("the agent socket endpoint", () => {
  const stops: (() => void)[] = [];
  afterEach(() => {
    for (const stop of stops.splice(0)) stop();
  });

  it("closes a socket that does not read once its send buffer passes the bound, and frees it", async () => {
    const e = await endpoint({ maxBufferedBytes: 64 * 1024 });
    stops.push(e.stop);
    const client = new WebSocket(e.url, ["handoff.v1", "bearer.good"]);
    await new Promise((resolve) => client.once("open", resolve));
    await until(() => e.sockets.sockets === 1, "the socket");
    // The client stops reading: TCP windows fill, then the server's send buffer grows.
    (client as unknown as { _socket: { pause(): void } })._socket.pause();
    // Loopback's kernel buffers take a few MB before the server's own buffer grows.
    for (let i = 0; i < 400_000 && e.sockets.sockets === 1; i++) {
      e.offer(i);
      if (i % 2_000 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await until(() => e.sockets.sockets === 0, "the slow consumer closed");
    expect(e.warnings).toContain("socket: slow consumer closed");
    client.terminate();
  }, 30_000);

  it("turns pongs into presence heartbeats and tells presence of the closed socket after the grace", async () => {
    const e = await endpoint({ heartbeatMs: 100, disconnectGraceMs: 200 });
    stops.push(e.stop);
    const client = new WebSocket(e.url, ["handoff.v1", "bearer.good"]);
    const hello = await new Promise<{ connectionId: string }>((resolve) =>
      client.once("message", (data: Buffer) => resolve(JSON.parse(data.toString()) as { connectionId: string })),
    );
    await until(() => e.presenceCalls.filter((c) => c.startsWith("heartbeat")).length >= 3, "heartbeats");
    expect(e.presenceCalls.every((c) => c === `heartbeat ${hello.connectionId}`)).toBe(true);
    client.close(1000);
    await until(() => e.presenceCalls.includes(`disconnect ${hello.connectionId}`), "the disconnect");
  });

  it("closes a socket not heard from for two heartbeat intervals, and keeps one that answers", async () => {
    const e = await endpoint({ heartbeatMs: 100 });
    stops.push(e.stop);
    const silent = new WebSocket(e.url, ["handoff.v1", "bearer.good"], { autoPong: false });
    const answering = new WebSocket(e.url, ["handoff.v1", "bearer.good"]);
    const startedAt = Date.now();
    const code = await new Promise<number>((resolve) => silent.once("close", resolve));
    expect(code).toBe(CLOSE_CODES.heartbeatTimeout);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(250); // the third tick, not the second
    expect(answering.readyState).toBe(WebSocket.OPEN);
    answering.close(1000);
  });

  it("refuses a bad token before the handshake and closes on a binary frame", async () => {
    const e = await endpoint({});
    stops.push(e.stop);
    const refused = new WebSocket(e.url, ["handoff.v1", "bearer.bad"]);
    const status = await new Promise<number | undefined>((resolve) =>
      refused.once("unexpected-response", (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(401);

    const client = new WebSocket(e.url, ["handoff.v1", "bearer.good"]);
    await new Promise((resolve) => client.once("open", resolve));
    client.send(Buffer.from([1, 2, 3]));
    const code = await new Promise<number>((resolve) => client.once("close", resolve));
    expect(code).toBe(CLOSE_CODES.badMessage);
  });

  it("closes every socket with 1001 when the server shuts down", async () => {
    const e = await endpoint({});
    stops.push(e.stop);
    const client = new WebSocket(e.url, ["handoff.v1", "bearer.good"]);
    await new Promise((resolve) => client.once("open", resolve));
    const closed = new Promise<number>((resolve) => client.once("close", resolve));
    e.sockets.close();
    expect(await closed).toBe(CLOSE_CODES.goingAway);
    await until(() => e.sockets.sockets === 0, "the socket released");
  });

  it("tells the rep when his session's feed ends because PostgreSQL is gone, classified, and a bug as INTERNAL", async () => {
    const failures: Record<string, Error> = {
      "s-pg": new Error("Connection terminated unexpectedly"),
      "s-bug": new TypeError("x is undefined"),
    };
    const e = await endpoint(
      {},
      {
        store: { find: () => Promise.resolve({ state: "active", repId: "alice", lastSequence: 3 } as never) },
        participants: {
          sessionIdsOfRep: () => Promise.resolve([]),
          all: () => Promise.resolve([{ repId: "alice", leftAtMs: null }] as never),
        },
        feed: { watch: (_site, sessionId) => Promise.reject(failures[sessionId]!) },
      },
    );
    stops.push(e.stop);
    const client = new WebSocket(e.url, ["handoff.v1", "bearer.good"]);
    const frames: Record<string, unknown>[] = [];
    client.on("message", (data: Buffer) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
    await new Promise((resolve) => client.once("open", resolve));
    for (const sessionId of Object.keys(failures)) client.send(JSON.stringify({ type: "follow", sessionId }));
    await until(() => frames.filter((f) => f.type === "error").length === 2, "two error frames");
    expect(frames.filter((f) => f.type === "error")).toEqual([
      {
        type: "error",
        reason: "DEPENDENCY_UNAVAILABLE",
        sessionId: "s-pg",
        dependency: "postgresql",
        retryAfterS: 2,
        detail: "postgresql is unavailable; retry in 2 s",
      },
      { type: "error", reason: "INTERNAL", sessionId: "s-bug" },
    ]);
    client.close();
  });
});
