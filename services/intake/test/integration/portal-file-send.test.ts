import { AgentApiError, AgentClient, type SessionEvent } from "@handoff/agent-sdk";
import { testIssuer, type TestIssuer } from "@handoff/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { demoRouting } from "../support/portal-configs";
import { issueStart, openPortal } from "../support/portal-fixtures";
import { eventually, PortalStack, type StartedSession } from "../support/portal-stack";

let stack: PortalStack;
let agents: TestIssuer;
const clients: AgentClient[] = [];
beforeAll(async () => {
  agents = await testIssuer("AGENT");
  stack = await PortalStack.start({}, agents.env);
}, 180_000);
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});
afterAll(async () => {
  await stack?.stop();
});

/** A rep online through the agent SDK, with the events of his sessions as his socket delivers them. */
async function repOnline(siteId: string, repId: string) {
  const client = new AgentClient({ baseUrl: stack.agentUrl, token: () => agents.token(siteId, repId) });
  clients.push(client);
  const events: SessionEvent[] = [];
  const offers: { sessionId: string; epoch: number }[] = [];
  client.on("session", ({ event }) => events.push(event));
  client.on("offer", ({ offer }) => offers.push(offer));
  await client.connect();
  await client.login(["support"]);
  await client.setCapacity("single");
  await client.setState("available");
  return { client, events, offers };
}

const fileSend = (siteId: string, session: StartedSession, body: unknown) =>
  stack.call("POST", `/v1/sites/${siteId}/sessions/${session.sessionId}/file-send-requests`, {
    body,
    token: session.customerToken,
  });

describe("the customer's request to send a file", () => {
  it("reaches the rep's socket; his denial and his allowance reach the customer's stream; one request at a time", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const rep = await repOnline(siteId, "alice");
    const started = await stack.startSession(siteId, issueStart("Ann"));
    expect(await fileSend(siteId, started, { fileName: "log.txt", sizeBytes: 10 })).toMatchObject({
      status: 409,
      body: { reason: "SESSION_STATE_CONFLICT" },
    });

    const offer = await seen(() => rep.offers.find((o) => o.sessionId === started.sessionId));
    await rep.client.acceptOffer(offer.sessionId, offer.epoch);
    const stream = await stack.stream(siteId, started);
    await stream.next((f) => f.event === "accepted");

    const asked = await fileSend(siteId, started, { fileName: "printer-log.txt", sizeBytes: 123_456 });
    expect(asked.status).toBe(201);
    const requestId = (asked.body as { requestId: string }).requestId;
    expect(await fileSend(siteId, started, { fileName: "second.txt", sizeBytes: 1 })).toMatchObject({
      status: 409,
      body: { reason: "FILE_SEND_PENDING" },
    });
    const onSocket = await seen(() => rep.events.find((e) => e.fileSendRequested));
    expect(onSocket.fileSendRequested).toEqual({ requestId, fileName: "printer-log.txt", sizeBytes: 123_456 });
    expect((await stream.next((f) => f.event === "file")).data).toEqual({
      requestId,
      fileName: "printer-log.txt",
      sizeBytes: 123_456,
      change: "requested",
    });

    await rep.client.answerFileSend(started.sessionId, requestId, false);
    expect((await stream.next((f) => f.event === "file" && f.data.change !== "requested")).data).toEqual({
      requestId,
      change: "denied",
    });
    const again = await rep.client.answerFileSend(started.sessionId, requestId, true).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AgentApiError);
    expect(again).toMatchObject({ status: 409, reason: "ALREADY_ANSWERED" });

    const second = await fileSend(siteId, started, { fileName: "photo.png", sizeBytes: 2_000_000 });
    expect(second.status).toBe(201);
    const secondId = (second.body as { requestId: string }).requestId;
    await rep.client.answerFileSend(started.sessionId, secondId, true);
    expect(
      (await stream.next((f) => f.event === "file" && f.data.requestId === secondId && f.data.change !== "requested"))
        .data,
    ).toEqual({
      requestId: secondId,
      change: "allowed",
    });
    await seen(() => rep.events.find((e) => e.fileSendAnswered?.requestId === secondId));
    stream.close();
  });

  it.each<[string, unknown, string]>([
    ["an empty name", { fileName: "", sizeBytes: 1 }, "fileName"],
    ["a name over 255 characters", { fileName: `${"a".repeat(252)}.txt`, sizeBytes: 1 }, "fileName"],
    ["a path instead of a name", { fileName: "../etc/passwd", sizeBytes: 1 }, "fileName"],
    ["a control character in the name", { fileName: "a\u0007.txt", sizeBytes: 1 }, "fileName"],
    ["a bidi override posing as another type", { fileName: "invoice\u202Efdp.exe", sizeBytes: 1 }, "fileName"],
    ["no size", { fileName: "a.txt" }, "sizeBytes"],
    ["a zero size", { fileName: "a.txt", sizeBytes: 0 }, "sizeBytes"],
    ["a size over 10 GiB", { fileName: "a.txt", sizeBytes: 10 * 1024 ** 3 + 1 }, "sizeBytes"],
    ["a fractional size", { fileName: "a.txt", sizeBytes: 1.5 }, "sizeBytes"],
  ])("refuses %s with a 400 naming the field", async (_case, body, field) => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const started = await stack.startSession(siteId, issueStart("Ben"));
    const refused = await fileSend(siteId, started, body);
    expect(refused).toMatchObject({ status: 400, body: { field } });
  });

  it("refuses a request without the customer's token, or with another session's", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const ours = await stack.startSession(siteId, issueStart("Cleo"));
    const theirs = await stack.startSession(siteId, issueStart("Dan"));
    const path = `/v1/sites/${siteId}/sessions/${ours.sessionId}/file-send-requests`;
    const body = { fileName: "a.txt", sizeBytes: 1 };
    expect((await stack.call("POST", path, { body })).status).toBe(401);
    expect(await stack.call("POST", path, { body, token: theirs.customerToken })).toMatchObject({
      status: 404,
      body: { reason: "SESSION_NOT_FOUND" },
    });
  });
});

/** Waits until `find` finds something (the socket's events arrive through Kafka and the broker). */
const seen = <T>(find: () => T | undefined): Promise<T> =>
  eventually(() => {
    const found = find();
    return found === undefined ? Promise.reject(new Error("not seen yet")) : Promise.resolve(found);
  });
