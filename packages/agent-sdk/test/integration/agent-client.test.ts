import { get } from "node:http";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eventually, SessionStack, testIssuer, type TestIssuer } from "@handoff/testing";
import { AgentClient, CLOSE_CODES, type WebSocketLike } from "@handoff/agent-sdk";
import { customerAsksForHelp, recorder, siteWithTeam } from "../support/agent-fixtures.js";

describe("agent SDK against the real services", () => {
  let stack: SessionStack;
  let issuer: TestIssuer;
  const clients: AgentClient[] = [];
  const httpPort = (replica: number) => stack.brokers[replica]!.process.httpPort;
  const baseUrl = (replica = 0) => `http://127.0.0.1:${httpPort(replica)}`;

  /** A client whose sockets the test can reach (to kill them) and whose replica it can switch. */
  function client(siteId: string, repId: string, options: { replica?: number; reconnectMinMs?: number } = {}) {
    const sockets: WebSocketLike[] = [];
    const route = { replica: options.replica ?? 0 };
    const agent = new AgentClient({
      baseUrl: baseUrl(route.replica),
      token: () => issuer.token(siteId, repId),
      reconnectMinMs: options.reconnectMinMs ?? 50,
      webSocket: (url, protocols) => {
        const target = url.replace(`:${httpPort(options.replica ?? 0)}/`, `:${httpPort(route.replica)}/`);
        const socket = new WebSocket(target, protocols);
        sockets.push(socket);
        return socket;
      },
    });
    clients.push(agent);
    return { agent, sockets, route, seen: recorder(agent) };
  }

  /** Connects, logs in to t1, single-session, available. */
  async function online(agent: AgentClient) {
    await agent.connect();
    await agent.login(["t1"]);
    await agent.setCapacity("single");
    expect((await agent.setState("available")).state).toBe("available");
  }

  /** The HTTP status an upgrade request gets when the broker refuses it before the handshake. */
  const upgradeStatus = (token: string | undefined) =>
    new Promise<number>((resolve, reject) => {
      const request = get(`${baseUrl()}/v1/socket`, {
        headers: {
          connection: "Upgrade",
          upgrade: "websocket",
          "sec-websocket-version": "13",
          "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
          "sec-websocket-protocol": token ? `handoff.v1, bearer.${token}` : "handoff.v1",
        },
      });
      request.on("response", (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("upgrade", () => reject(new Error("upgraded without a valid token")));
      request.on("error", reject);
    });

  const healthy = async (replica = 0) => (await fetch(`${baseUrl(replica)}/healthz`)).status;

  beforeAll(async () => {
    issuer = await testIssuer("AGENT");
    stack = await SessionStack.start({ brokers: 2, brokerEnv: issuer.env });
  });

  afterEach(() => {
    for (const agent of clients.splice(0)) agent.close();
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("delivers an offer with its deadline on the socket, and the rep accepts it", async () => {
    const siteId = await siteWithTeam(stack, ["alice"]);
    const { agent, seen } = client(siteId, "alice");
    await online(agent);
    const sessionId = await customerAsksForHelp(stack, siteId);

    const { offer } = await eventually(() => seen.offers.find((o) => o.offer.sessionId === sessionId), 15_000, "offer");
    expect(offer.expiresAtMs).toBeGreaterThan(Date.now());
    expect(offer.fromQueue).toEqual({ teamId: "t1" });
    const session = await agent.acceptOffer(sessionId, offer.epoch);
    expect(session).toMatchObject({ sessionId, state: "active", clientMode: "click_to_chat" });
    await eventually(
      () => seen.sessions.find((s) => s.sessionId === sessionId && s.event.sessionAssigned?.repId === "alice"),
      10_000,
      "the assignment on the socket",
    );
  });

  it("tells an invited rep on his socket (on another replica), who joins, chats and takes control", async () => {
    const siteId = await siteWithTeam(stack, ["gina", "hugo", "ivan"]);
    const gina = client(siteId, "gina");
    const hugo = client(siteId, "hugo", { replica: 1 });
    const ivan = client(siteId, "ivan");
    await online(gina.agent);
    await hugo.agent.connect();
    await ivan.agent.connect();
    const sessionId = await customerAsksForHelp(stack, siteId);
    const { offer } = await eventually(() => gina.seen.offers.find((o) => o.offer.sessionId === sessionId));
    await gina.agent.acceptOffer(sessionId, offer.epoch);

    const invitationId = await gina.agent.inviteRep(sessionId, { repId: "hugo" });
    const { invitation } = await eventually(() => hugo.seen.invitations[0], 10_000, "the invitation on hugo's socket");
    expect(invitation).toEqual({ sessionId, invitationId, byRepId: "gina", invitee: { kind: "rep", id: "hugo" } });
    const joined = await hugo.agent.answerInvitation(sessionId, invitationId, true);
    expect(joined.state).toBe("active");
    await gina.agent.sendChat(sessionId, "hugo knows printers");
    await eventually(
      () => hugo.seen.sessions.find((s) => s.event.chatMessageSent?.text === "hugo knows printers"),
      10_000,
      "gina's chat on hugo's socket",
    );
    const handedOver = await gina.agent.handOverControl(sessionId, "hugo");
    expect(handedOver.repId).toBe("hugo");

    // A team invitation reaches the team's members but not the inviter.
    await hugo.agent.inviteRep(sessionId, { teamId: "t1" });
    await eventually(() => ivan.seen.invitations[0], 10_000, "the team invitation on ivan's socket");
    expect(hugo.seen.invitations).toHaveLength(1);
  });

  it("tells the rep's sockets of his state changes", async () => {
    const siteId = await siteWithTeam(stack, ["erin"]);
    const desk = client(siteId, "erin");
    const other = client(siteId, "erin", { replica: 1 });
    await online(desk.agent);
    await other.agent.connect();
    await desk.agent.setState("away", "lunch");
    for (const seen of [desk.seen, other.seen]) {
      const { event } = await eventually(
        () => seen.presence.find((p) => p.event.repStateChanged?.state === "REP_STATE_AWAY"),
        15_000,
        "the state change on the socket",
      );
      expect(event.repStateChanged).toMatchObject({ reasonCode: "lunch" });
    }
  });

  it("resumes after a killed socket with no message missed or repeated", async () => {
    const siteId = await siteWithTeam(stack, ["alice"]);
    const { agent, sockets, seen } = client(siteId, "alice", { reconnectMinMs: 1_500 });
    await online(agent);
    const sessionId = await customerAsksForHelp(stack, siteId);
    const { offer } = await eventually(() => seen.offers.find((o) => o.offer.sessionId === sessionId));
    await agent.acceptOffer(sessionId, offer.epoch);
    await eventually(() => seen.sessions.some((s) => s.event.sessionAssigned));

    sockets.at(-1)!.close(3000, "test kills the socket");
    await eventually(() => seen.disconnected.length === 1, 5_000, "the close");
    for (let i = 0; i < 5; i++) await agent.addNote(sessionId, `note ${i}`);
    await eventually(() => seen.connected.length === 2, 10_000, "the reconnect");
    for (let i = 5; i < 8; i++) await agent.addNote(sessionId, `note ${i}`);

    const notes = await eventually(() => {
      const texts = seen.sessions.flatMap((s) =>
        s.event.noteAdded ? [(s.event.noteAdded as { text: string }).text] : [],
      );
      return texts.length >= 8 && texts;
    });
    expect(notes).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => `note ${i}`));
    expect(seen.connected[1]!.resumed).toBe(true);
    expect(seen.resyncs).toEqual([]);
    const first = seen.seqs[0]!;
    expect(seen.seqs).toEqual(seen.seqs.map((_, i) => first + i));
  });

  it("reconnects to the other replica with a resync and receives offers there", async () => {
    const siteId = await siteWithTeam(stack, ["bob"]);
    const { agent, sockets, route, seen } = client(siteId, "bob");
    await online(agent);
    const first = await customerAsksForHelp(stack, siteId);
    const { offer } = await eventually(() => seen.offers.find((o) => o.offer.sessionId === first));

    route.replica = 1;
    sockets.at(-1)!.close(3000, "test moves the rep to the other replica");
    const resync = await eventually(() => seen.resyncs[0], 10_000, "the resync");
    expect(resync.reason).toBe("UNKNOWN_LOG");
    expect(resync.sessions).toEqual([expect.objectContaining({ sessionId: first, state: "offered" })]);
    expect(seen.connected).toHaveLength(2);
    await agent.acceptOffer(first, offer.epoch);
    await agent.end(first, "resolved");

    const second = await customerAsksForHelp(stack, siteId);
    const next = await eventually(() => seen.offers.find((o) => o.offer.sessionId === second), 15_000, "offer on B");
    expect(next.seq).toBeGreaterThan(0);
    await agent.acceptOffer(second, next.offer.epoch);
  });

  it("closes the socket when its token expires, and the client comes back with a fresh token and resumes", async () => {
    const siteId = await siteWithTeam(stack, ["frank"]);
    let issued = 0;
    const agent = new AgentClient({
      baseUrl: baseUrl(),
      // The first token lives 2 s; the refresh callback then hands out ordinary ones.
      token: () => issuer.token(siteId, "frank", ["rep"], { expiresIn: issued++ === 0 ? "2s" : "10m" }),
      reconnectMinMs: 50,
    });
    clients.push(agent);
    const seen = recorder(agent);
    await agent.connect();
    const closed = await eventually(() => seen.disconnected[0], 10_000, "the expiry close");
    expect(closed).toMatchObject({ code: CLOSE_CODES.tokenExpired, reconnecting: true });
    await eventually(() => seen.connected.length === 2, 10_000, "the reconnect");
    expect(seen.connected[1]!.resumed).toBe(true);
    expect(issued).toBeGreaterThanOrEqual(2);
  });

  it("closes a socket that sends an oversize frame or floods, and stays healthy", async () => {
    const siteId = await siteWithTeam(stack, ["carol"]);
    const big = client(siteId, "carol");
    await big.agent.connect();
    big.sockets.at(-1)!.send(JSON.stringify({ type: "ping", pad: "x".repeat(20_000) }));
    const tooBig = await eventually(() => big.seen.disconnected[0], 5_000, "oversize close");
    expect(tooBig).toMatchObject({ code: CLOSE_CODES.messageTooBig, reconnecting: false });

    const flood = client(siteId, "carol");
    await flood.agent.connect();
    for (let i = 0; i < 100; i++) flood.sockets.at(-1)!.send('{"type":"ping"}');
    const flooded = await eventually(() => flood.seen.disconnected[0], 5_000, "flood close");
    expect(flooded).toMatchObject({ code: CLOSE_CODES.tooManyMessages, reconnecting: false });

    const bad = client(siteId, "carol");
    await bad.agent.connect();
    bad.sockets.at(-1)!.send("not json");
    expect(await eventually(() => bad.seen.disconnected[0])).toMatchObject({ code: CLOSE_CODES.badMessage });

    expect(await healthy()).toBe(200);
    const after = client(siteId, "carol");
    await after.agent.connect();
    expect(after.agent.connectionId).toBeTruthy();
  });

  it("caps the sockets of one rep and refuses a socket without a valid token", async () => {
    const siteId = await siteWithTeam(stack, ["dave"]);
    const desks = Array.from({ length: 5 }, () => client(siteId, "dave"));
    await Promise.all(desks.map((d) => d.agent.connect()));
    const sixth = client(siteId, "dave");
    await expect(sixth.agent.connect()).rejects.toThrow(/4030/);
    expect(sixth.seen.disconnected[0]).toMatchObject({ code: CLOSE_CODES.tooManySockets, reconnecting: false });

    desks[0]!.agent.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const again = client(siteId, "dave");
    await again.agent.connect();

    expect(await upgradeStatus(undefined)).toBe(401);
    expect(await upgradeStatus("not-a-jwt")).toBe(401);
    expect(await healthy()).toBe(200);
  });
});
