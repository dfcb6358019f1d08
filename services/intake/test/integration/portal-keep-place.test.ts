import { Actor, SessionState } from "@handoff/proto/common";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoRouting } from "../support/portal-configs";
import { issueStart as issue, openPortal } from "../support/portal-fixtures";
import { eventually, PortalStack, type StartedSession } from "../support/portal-stack";

/** What the site's loopback receiver got: the raw body and its signature header. */
interface Delivery {
  body: string;
  signature: string;
}

const SECRET = "keep-my-place-test-secret";
const RETURN_WITHIN_S = 60;

/** The receiver's side of `Handoff-Signature: t=…,v1=…`: recomputed over the raw body, compared in constant time. */
function verified(delivery: Delivery): boolean {
  const parts = Object.fromEntries(delivery.signature.split(",").map((p) => p.split("=") as [string, string]));
  const expected = createHmac("sha256", SECRET).update(`${parts.t}.${delivery.body}`).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

let stack: PortalStack;
let receiver: Server;
const deliveries: Delivery[] = [];
let webhookUrl: string;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      deliveries.push({ body, signature: String(req.headers["handoff-signature"] ?? "") });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/handoff`;
  stack = await PortalStack.start({ CALLBACK_CHECK_MS: "300" }, { AWAY_SWEEP_INTERVAL_MS: "300" });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  receiver?.close();
});

const supervisor = { actor: Actor.ACTOR_SUPERVISOR, id: "sup", customerToken: "" };
const alice = { actor: Actor.ACTOR_REP, id: "alice", customerToken: "" };

const keepPlace = (extra: Record<string, unknown> = {}) => ({
  callAtPosition: 1,
  returnWithinSeconds: RETURN_WITHIN_S,
  ...extra,
});

describe("keep my place", () => {
  it("skips a customer who left the page, calls him back by a signed webhook with a one-time link, serves him once back, and abandons one who never returns", async () => {
    const siteId = await stack.site(
      demoRouting(),
      openPortal({
        keepPlace: keepPlace({
          webhook: { url: webhookUrl, secret: SECRET },
          resumePageUrl: "http://localhost:8080/help",
        }),
      }),
    );
    expect(await stack.call("GET", `/v1/sites/${siteId}/portal`)).toMatchObject({
      body: { keepPlace: { callAtPosition: 1, returnWithinSeconds: RETURN_WITHIN_S } },
    });
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    const broker = stack.sessions.broker;
    const read = (s: StartedSession) => broker.getSession({ siteId, sessionId: s.sessionId, requester: supervisor });
    const offeredToAlice = (s: StartedSession) =>
      eventually(async () => {
        const { session } = await read(s);
        expect(session).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "alice" });
        return session!;
      });
    const serve = async (s: StartedSession) => {
      const session = await offeredToAlice(s);
      await broker.acceptSessionOffer({ siteId, sessionId: s.sessionId, repId: "alice", epoch: session.epoch });
    };
    const end = (s: StartedSession) =>
      broker.closeSession({ siteId, sessionId: s.sessionId, requester: alice, reason: 0, abandonReason: 0 });
    const away = (s: StartedSession, token = s.customerToken) =>
      stack.call("POST", `/v1/sites/${siteId}/sessions/${s.sessionId}/away`, { token, body: { away: true } });

    const ann = await stack.startSession(siteId, issue("Ann"));
    await serve(ann);
    const ben = await stack.startSession(siteId, issue("Ben"));
    const cid = await stack.startSession(siteId, issue("Cid"));
    const dan = await stack.startSession(siteId, issue("Dan"));
    const eve = await stack.startSession(siteId, issue("Eve"));

    // Cid (2nd) and Dan (3rd) close the page keeping their places.
    const cidAway = await away(cid);
    expect(cidAway).toMatchObject({
      status: 200,
      body: { state: "waiting", position: { position: 2 }, keepPlace: { away: true, returnBy: null } },
    });
    expect((await away(dan)).status).toBe(200);
    expect(deliveries).toEqual([]);

    // Alice is free: Ben, first and present, is offered. Cid is now first: called back by webhook.
    await end(ann);
    await serve(ben);
    const toCid = await eventually(() => {
      expect(deliveries).toHaveLength(1);
      return Promise.resolve(deliveries[0]!);
    });
    expect(verified(toCid)).toBe(true);
    expect(verified({ ...toCid, body: toCid.body.replace("Cid", "Cyd") })).toBe(false);
    const payload = JSON.parse(toCid.body) as Record<string, unknown> & { resumeUrl: string; returnBy: string };
    expect(payload).toMatchObject({
      type: "customer.called_back",
      siteId,
      sessionId: cid.sessionId,
      position: 1,
      customer: { name: "Cid" },
    });
    const returnBy = Date.parse(payload.returnBy);
    expect(returnBy - Date.now()).toBeGreaterThan((RETURN_WITHIN_S - 10) * 1_000);
    const link = new URL(payload.resumeUrl);
    expect(link.origin + link.pathname).toBe("http://localhost:8080/help");
    const [linkSession, resumeToken] = link.searchParams.get("handoff-resume")!.split(".");
    expect(linkSession).toBe(cid.sessionId);
    // The link carries a one-time resume token, never the customer's token.
    expect(resumeToken).not.toBe(cid.customerToken);
    expect(payload.resumeUrl).not.toContain(cid.customerToken);

    // Cid opens the link: a new customer token; the old one and a second use of the link are refused.
    const resumePath = `/v1/sites/${siteId}/sessions/${cid.sessionId}/resume`;
    const resumed = await stack.call("POST", resumePath, { body: { resumeToken } });
    expect(resumed).toMatchObject({
      status: 200,
      body: { state: "waiting", position: { position: 1 }, keepPlace: { away: false, returnBy: null } },
    });
    const resumedBody = resumed.body as { customerToken: string };
    const cidBack: StartedSession = { ...cid, customerToken: resumedBody.customerToken };
    expect(cidBack.customerToken).not.toBe(cid.customerToken);
    expect(await stack.call("POST", resumePath, { body: { resumeToken } })).toMatchObject({
      status: 403,
      body: { reason: "CREDENTIAL_REJECTED" },
    });
    const oldToken = await stack.call("GET", `/v1/sites/${siteId}/sessions/${cid.sessionId}`, {
      token: cid.customerToken,
    });
    expect(oldToken.status).toBe(404);
    const cidStream = await stack.stream(siteId, cidBack);
    expect((await cidStream.next((f) => f.event === "status")).data).toMatchObject({ state: "waiting" });

    // Alice frees: Cid, back at his place, is served. Dan, now first but away, is called back.
    await end(ben);
    await serve(cid);
    expect((await cidStream.next((f) => f.event === "accepted")).data).toMatchObject({ repId: "alice" });
    cidStream.close();
    const toDan = await eventually(() => {
      expect(deliveries).toHaveLength(2);
      return Promise.resolve(deliveries[1]!);
    });
    expect(verified(toDan)).toBe(true);
    expect(JSON.parse(toDan.body)).toMatchObject({ sessionId: dan.sessionId, customer: { name: "Dan" } });

    // Dan is away: Eve, behind him and present, is offered instead; Dan keeps his place.
    await end(cid);
    await offeredToAlice(eve);
    expect((await read(dan)).session).toMatchObject({
      state: SessionState.SESSION_STATE_WAITING,
      customerAway: { away: true },
    });

    // Dan never returns: his session is abandoned with its own reason once his time is up; no survey.
    const danStream = await stack.stream(siteId, dan);
    const ended = await danStream.next((f) => f.event === "end", (RETURN_WITHIN_S + 20) * 1_000);
    expect(ended.data).toEqual({ reason: "abandoned", abandonReason: "customer_did_not_return", survey: false });
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse((JSON.parse(toDan.body) as { returnBy: string }).returnBy));
    danStream.close();
    const survey = await stack.call("POST", `/v1/sites/${siteId}/sessions/${dan.sessionId}/survey`, {
      token: dan.customerToken,
      body: { satisfaction: 5 },
    });
    expect(survey.status).toBe(409);
  }, 180_000);

  it("calls back a customer whose page is still open by a frame on his stream, and no webhook", async () => {
    const before = deliveries.length;
    const siteId = await stack.site(
      demoRouting(),
      openPortal({
        keepPlace: keepPlace({ webhook: { url: webhookUrl, secret: SECRET }, resumePageUrl: "https://x.example/" }),
      }),
    );
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    const first = await stack.startSession(siteId, issue("Fay"));
    const second = await stack.startSession(siteId, issue("Gus"));
    const stream = await stack.stream(siteId, second);
    await stream.next((f) => f.event === "status");
    const gone = await stack.call("POST", `/v1/sites/${siteId}/sessions/${second.sessionId}/away`, {
      token: second.customerToken,
      body: { away: true },
    });
    expect(gone.status).toBe(200);
    expect((await stream.next((f) => f.event === "away")).data).toEqual({ away: true });
    const callback = await stream.next((f) => f.event === "callback");
    expect(Date.parse(callback.data.returnBy as string)).toBeGreaterThan(Date.now() + 50_000);
    // He focuses the page: back, and served once Alice is free.
    const back = await stack.call("POST", `/v1/sites/${siteId}/sessions/${second.sessionId}/away`, {
      token: second.customerToken,
      body: { away: false },
    });
    expect(back).toMatchObject({ status: 200, body: { keepPlace: { away: false, returnBy: null } } });
    expect((await stream.next((f) => f.event === "away" && f.data.away === false)).data).toEqual({ away: false });
    const broker = stack.sessions.broker;
    const offered = await eventually(async () => {
      const { session } = await broker.getSession({ siteId, sessionId: first.sessionId, requester: supervisor });
      expect(session?.state).toBe(SessionState.SESSION_STATE_OFFERED);
      return session!;
    });
    await broker.acceptSessionOffer({ siteId, sessionId: first.sessionId, repId: "alice", epoch: offered.epoch });
    await broker.closeSession({ siteId, sessionId: first.sessionId, requester: alice, reason: 0, abandonReason: 0 });
    await stream.next((f) => f.event === "offered");
    stream.close();
    expect(deliveries.length).toBe(before);
  }, 120_000);

  it("refuses keeping a place where the portal does not offer it, and bad bodies naming the field", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    await stack.sessions.repOnline(siteId, "alice", ["support"]);
    await stack.startSession(siteId, issue("Hal"));
    const waiting = await stack.startSession(siteId, issue("Ida"));
    const path = `/v1/sites/${siteId}/sessions/${waiting.sessionId}`;
    const off = await stack.call("POST", `${path}/away`, { token: waiting.customerToken, body: { away: true } });
    expect(off).toMatchObject({ status: 409, body: { reason: "KEEP_PLACE_OFF" } });
    const bad = await stack.call("POST", `${path}/away`, { token: waiting.customerToken, body: { away: "yes" } });
    expect(bad).toMatchObject({ status: 400, body: { field: "away" } });
    const noToken = await stack.call("POST", `${path}/away`, { body: { away: true } });
    expect(noToken.status).toBe(401);
    const badResume = await stack.call("POST", `${path}/resume`, { body: { resumeToken: "x" } });
    expect(badResume).toMatchObject({ status: 400, body: { field: "resumeToken" } });
    const wrongResume = await stack.call("POST", `${path}/resume`, { body: { resumeToken: "A".repeat(43) } });
    expect(wrongResume).toMatchObject({ status: 403, body: { reason: "CREDENTIAL_REJECTED" } });
  }, 60_000);
});
