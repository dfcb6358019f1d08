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
  repId: "alice",
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

const sessionEvent = (seq: number, sessionId: string, sequence: number, payload: object = { chatMessageSent: {} }) => ({
  seq,
  type: "session",
  sessionId,
  event: { eventId: `e-${sessionId}-${sequence}`, sessionId, sequence, occurredAtMs: 0, state: "active", ...payload },
});

function harness(answer: object = { sessions: [] }) {
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
    fetch: () => Promise.resolve(new Response(JSON.stringify(answer), { status: 200 })),
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

  it("after a move to another replica follows each open session from its last event and hands each event out once", async () => {
    const { agent, next } = harness();
    const events: string[] = [];
    agent.on("session", ({ sessionId, event }) => events.push(`${sessionId}#${event.sequence}`));
    const connected = agent.connect();
    const first = await next(1);
    first.serverSends(hello(0));
    await connected;
    first.serverSends(sessionEvent(1, "s1", 4));
    first.serverSends(sessionEvent(2, "s1", 5));
    first.serverSends(sessionEvent(3, "s2", 7));
    first.serverSends(sessionEvent(4, "s2", 8, { participantLeft: { repId: "alice", reason: "transferred" } }));
    first.serverCloses(1006);

    const second = await next(2);
    const other = "22222222-2222-2222-2222-222222222222";
    second.serverSends(hello(0, other));
    second.serverSends({ type: "resync", reason: "UNKNOWN_LOG", logId: other, seq: 0 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // Only s1 is still his: s2 ended for him with his leaving.
    expect(second.sent.map((frame) => JSON.parse(frame) as unknown)).toContainEqual({
      type: "follow",
      sessionId: "s1",
      afterSequence: 5,
    });
    expect(second.sent.some((frame) => frame.includes('"s2"'))).toBe(false);
    // The new replica's own follow may start later (a gap) or earlier (repeats) than the client's.
    second.serverSends(sessionEvent(1, "s1", 8));
    second.serverSends(sessionEvent(2, "s1", 5));
    second.serverSends(sessionEvent(3, "s1", 6));
    second.serverSends(sessionEvent(4, "s1", 7));
    second.serverSends(sessionEvent(5, "s1", 8));
    expect(events).toEqual(["s1#4", "s1#5", "s2#7", "s2#8", "s1#6", "s1#7", "s1#8"]);
    agent.close();
  });

  it("asks for a session again from its last event when one arrives after a gap", async () => {
    const { agent, next } = harness();
    const connected = agent.connect();
    const socket = await next(1);
    socket.serverSends(hello(0));
    await connected;
    socket.serverSends(sessionEvent(1, "s1", 1));
    socket.serverSends(sessionEvent(2, "s1", 3));
    expect(socket.sent.map((frame) => JSON.parse(frame) as unknown)).toContainEqual({
      type: "follow",
      sessionId: "s1",
      afterSequence: 1,
    });
    agent.close();
  });

  it("hands a replayed offer (same session and epoch) out once", async () => {
    const { agent, next, seqs } = harness();
    const connected = agent.connect();
    const socket = await next(1);
    socket.serverSends(hello(0));
    await connected;
    socket.serverSends(offer(1));
    socket.serverSends({ ...offer(2), offer: { sessionId: "s1", epoch: 1, expiresAtMs: 0 } });
    socket.serverSends({ ...offer(3), offer: { sessionId: "s1", epoch: 2, expiresAtMs: 0 } });
    expect(seqs).toEqual([1, 3]);
    agent.close();
  });

  it("follows a session accepted while the socket was down, after the reconnect, from the accept's state", async () => {
    const { agent, next } = harness({ session: { sessionId: "s9", state: "active", lastSequence: 12 } });
    const connected = agent.connect();
    const first = await next(1);
    first.serverSends(hello(0));
    await connected;
    first.serverCloses(1006);
    await agent.acceptOffer("s9", 3);
    const second = await next(2);
    second.serverSends(hello(0));
    expect(second.sent.map((frame) => JSON.parse(frame) as unknown)).toContainEqual({
      type: "follow",
      sessionId: "s9",
      afterSequence: 12,
    });
    agent.close();
  });
});
