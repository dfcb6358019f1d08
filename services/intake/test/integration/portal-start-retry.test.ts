import { randomUUID } from "node:crypto";
import { infrastructureEnv, readBrokerSessions } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoRouting } from "../support/portal-configs";
import { closedTodayAndTomorrow, issueStart, openPortal } from "../support/portal-fixtures";
import { eventually, PortalStack } from "../support/portal-stack";

/** A start's answer: the session (201) or a problem body. */
interface StartAnswer {
  status: number;
  body: { sessionId: string; customerToken: string; reason?: string; field?: string; detail?: string };
}

let stack: PortalStack;
/** The public URLs of two intake replicas: a retry may reach either. */
let replicas: [string, string];
beforeAll(async () => {
  stack = await PortalStack.start();
  replicas = [stack.publicUrl, await stack.addIntake()];
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

async function start(url: string, siteId: string, body: unknown, key?: string): Promise<StartAnswer> {
  const response = await fetch(`${url}/v1/sites/${siteId}/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key === undefined ? {} : { "idempotency-key": key }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as StartAnswer["body"] };
}

const sessionsOf = async (siteId: string) =>
  (await readBrokerSessions(infrastructureEnv().DATABASE_URL, siteId)).length;

/** A retry answered as its first start: the same session, and the same customer token, which works. */
async function expectSameSession(siteId: string, retry: StartAnswer, first: StartAnswer): Promise<void> {
  expect(retry.status).toBe(201);
  expect(retry.body).toMatchObject({ sessionId: first.body.sessionId, customerToken: first.body.customerToken });
  const seen = await stack.call("GET", `/v1/sites/${siteId}/sessions/${retry.body.sessionId}`, {
    token: retry.body.customerToken,
  });
  expect(seen).toMatchObject({ status: 200, body: { sessionId: first.body.sessionId } });
}

describe("a session start with an Idempotency-Key is safe to retry", () => {
  it("answers a retry on another replica with the same session and a working token; another body is 422", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const key = randomUUID();
    const first = await start(replicas[0], siteId, issueStart("Ada"), key);
    expect(first.status).toBe(201);
    const retry = await start(replicas[1], siteId, issueStart("Ada"), key);
    await expectSameSession(siteId, retry, first);

    const other = await start(replicas[0], siteId, issueStart("Bob"), key);
    expect(other).toMatchObject({
      status: 422,
      body: { reason: "IDEMPOTENCY_KEY_REUSED", field: "Idempotency-Key" },
    });
    expect(other.body.detail).toMatch(/^Idempotency-Key: /);
    expect(await sessionsOf(siteId)).toBe(1);

    // Without a key, or with a new one, the same body is another session.
    expect((await start(replicas[1], siteId, issueStart("Ada"))).body.sessionId).not.toBe(first.body.sessionId);
    expect((await start(replicas[1], siteId, issueStart("Ada"), randomUUID())).body.sessionId).not.toBe(
      first.body.sessionId,
    );
    expect(await sessionsOf(siteId)).toBe(3);
  });

  it.each([
    ["the portal closed", { schedule: closedTodayAndTomorrow().schedule }, "PORTAL_CLOSED", { open: false }],
    [
      "the agreement changed",
      { agreement: { version: "2026-12", text: "I also let the rep record." } },
      "AGREEMENT_CHANGED",
      { agreement: { version: "2026-12" } },
    ],
  ])(
    "answers a retry with its session after %s since the first start, and still refuses another start or body",
    async (_, change, refusedFor, portalNow) => {
      const siteId = await stack.site(demoRouting(), openPortal());
      const key = randomUUID();
      const first = await start(replicas[0], siteId, issueStart("Ada"), key);
      expect(first.status).toBe(201);

      await stack.updatePortal(siteId, openPortal(change));
      // Each replica reads a site's portal again within SITE_CACHE_MS.
      await eventually(async () =>
        expect((await stack.call("GET", `/v1/sites/${siteId}/portal`)).body).toMatchObject(portalNow),
      );
      const fresh = await start(replicas[0], siteId, issueStart("Ada"), randomUUID());
      expect(fresh).toMatchObject({ status: 409, body: { reason: refusedFor } });

      const retry = await start(replicas[0], siteId, issueStart("Ada"), key);
      await expectSameSession(siteId, retry, first);

      const other = await start(replicas[0], siteId, issueStart("Bob"), key);
      expect(other).toMatchObject({ status: 422, body: { reason: "IDEMPOTENCY_KEY_REUSED" } });
      expect(await sessionsOf(siteId)).toBe(1);
    },
  );

  it("creates one session for concurrent starts with one key, on both replicas", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => start(replicas[i % 2]!, siteId, issueStart("Cy"), key)),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(201));
    expect(new Set(answers.map((a) => a.body.sessionId)).size).toBe(1);
    expect(new Set(answers.map((a) => a.body.customerToken)).size).toBe(1);
    expect(await sessionsOf(siteId)).toBe(1);
  });

  it("the same key on another site is another start", async () => {
    const [one, two] = [await stack.site(demoRouting(), openPortal()), await stack.site(demoRouting(), openPortal())];
    const key = randomUUID();
    const a = await start(replicas[0], one, issueStart("Di"), key);
    const b = await start(replicas[0], two, issueStart("Di"), key);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(b.body.sessionId).not.toBe(a.body.sessionId);
  });

  it.each([
    ["too short", "abc"],
    ["too long", "k".repeat(65)],
    ["outside the charset", "key with spaces 1234"],
  ])("refuses a key %s with a 400 naming the header", async (_, key) => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const refused = await start(replicas[0], siteId, issueStart("Ed"), key);
    expect(refused).toMatchObject({
      status: 400,
      body: { field: "Idempotency-Key", errors: [{ field: "Idempotency-Key" }] },
    });
    expect(await sessionsOf(siteId)).toBe(0);
  });
});
