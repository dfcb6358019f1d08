import { describe, expect, it } from "vitest";
import { AgentClient, type WebSocketLike } from "@handoff/agent-sdk";

type Listener = (event: never) => void;

/** A WebSocket the test plays the server of. */
class FakeSocket implements WebSocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  private readonly listeners = new Map<string, Listener[]>();

  constructor(
    readonly url: string,
    readonly protocols: string[],
  ) {}

  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    this.sent.push(data);
  }

  close(code = 1000, reason = ""): void {
    this.serverCloses(code, reason);
  }

  private fire(type: string, event: unknown): void {
    for (const listener of this.listeners.get(type) ?? []) (listener as (e: unknown) => void)(event);
  }

  serverSends(frame: object): void {
    if (this.readyState === 0) {
      this.readyState = 1;
      this.fire("open", {});
    }
    this.fire("message", { data: JSON.stringify(frame) });
  }

  serverCloses(code: number, reason = ""): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    this.fire("close", { code, reason });
  }
}

const LOG = "11111111-1111-1111-1111-111111111111";
const hello = (seq: number, logId = LOG) => ({
  type: "hello",
  connectionId: `c-${seq}`,
  logId,
  seq,
  heartbeatMs: 60_000,
  limits: {},
});
const offer = (seq: number) => ({
  seq,
  type: "offer",
  offer: { sessionId: `s${seq}`, epoch: 1, expiresAtMs: 0 },
});

function harness() {
  const sockets: FakeSocket[] = [];
  const agent = new AgentClient({
    baseUrl: "http://broker.test",
    token: () => `token-${sockets.length}`,
    reconnectMinMs: 1,
    reconnectMaxMs: 5,
    webSocket: (url, protocols) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket;
    },
    fetch: () => Promise.resolve(new Response(JSON.stringify({ sessions: [] }), { status: 200 })),
  });
  const seqs: number[] = [];
  agent.on("offer", ({ seq }) => seqs.push(seq));
  const next = async (count: number) => {
    for (let i = 0; i < 200 && sockets.length < count; i++) await new Promise((resolve) => setTimeout(resolve, 2));
    return sockets[count - 1]!;
  };
  return { agent, sockets, seqs, next };
}

describe("AgentClient's socket", () => {
  it("offers the token as a subprotocol beside handoff.v1", async () => {
    const { agent, next } = harness();
    const connected = agent.connect();
    const socket = await next(1);
    socket.serverSends(hello(0));
    await connected;
    expect(socket.protocols).toEqual(["handoff.v1", "bearer.token-0"]);
    expect(socket.url).toBe("ws://broker.test/v1/socket");
    agent.close();
  });

  it("resumes from its last sequence with a fresh token after a break and hands each sequence out once", async () => {
    const { agent, next, seqs } = harness();
    const connected = agent.connect();
    const first = await next(1);
    first.serverSends(hello(4));
    await connected;
    first.serverSends(offer(5));
    first.serverSends(offer(6));
    first.serverCloses(1006);

    const second = await next(2);
    expect(second.url).toBe(`ws://broker.test/v1/socket?resume=${LOG}%3A6`);
    expect(second.protocols[1]).toBe("bearer.token-1"); // a reconnect asks the token source again
    second.serverSends(hello(8));
    second.serverSends(offer(6)); // overlap: already delivered
    second.serverSends(offer(7));
    second.serverSends(offer(8));
    expect(seqs).toEqual([5, 6, 7, 8]);
    expect(agent.lastSeq).toBe(8);
    agent.close();
  });

  it("takes the new log after a resync and reports the current sessions", async () => {
    const { agent, next, seqs } = harness();
    const resyncs: string[] = [];
    agent.on("resync", ({ reason }) => resyncs.push(reason));
    const connected = agent.connect();
    const first = await next(1);
    first.serverSends(hello(3));
    await connected;
    first.serverCloses(1001);

    const second = await next(2);
    const other = "22222222-2222-2222-2222-222222222222";
    second.serverSends(hello(0, other));
    second.serverSends({ type: "resync", reason: "UNKNOWN_LOG", logId: other, seq: 0 });
    second.serverSends(offer(1));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(resyncs).toEqual(["UNKNOWN_LOG"]);
    expect(seqs).toEqual([1]);
    agent.close();
  });

  it("does not reconnect after the per-rep socket cap, and connect() rejects", async () => {
    const { agent, next, sockets } = harness();
    const connected = agent.connect();
    (await next(1)).serverCloses(4030, "at most 5 sockets per rep");
    await expect(connected).rejects.toThrow(/4030/);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(sockets).toHaveLength(1);
  });
});
