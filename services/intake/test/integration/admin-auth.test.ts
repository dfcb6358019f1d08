import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_OPENAPI_FILE } from "../../src/admin/write-admin-openapi";
import { AdminStack } from "../support/admin-stack";
import { minimalPortalConfig } from "../support/portal-configs";

const CONFIG = "/v1/admin/portal-config";

let stack: AdminStack;
let siteId: string;
let token: string;
const changed = () => ({
  ...minimalPortalConfig(),
  messages: { greeting: "Taken over.", hold: "x", holdIntervalSeconds: 20 },
});

beforeAll(async () => {
  stack = await AdminStack.start();
  ({ siteId, token } = await stack.site());
  expect((await stack.call("PUT", CONFIG, token, { expectedVersion: 0, config: minimalPortalConfig() })).status).toBe(
    200,
  );
});
afterAll(async () => {
  await stack?.stop();
});

async function expectUnchanged(): Promise<void> {
  const now = await stack.call("GET", CONFIG, token);
  expect(now.body).toMatchObject({ siteId, version: 1, config: { messages: { greeting: "Welcome." } } });
}

describe("admin API access", () => {
  it("refuses a request without a token (401, WWW-Authenticate) and changes nothing", async () => {
    const response = await fetch(`${stack.adminUrl}${CONFIG}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ expectedVersion: 1, config: changed() }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="handoff"');
    expect(await response.json()).toMatchObject({ reason: "TOKEN_MISSING" });
    expect(await stack.call("GET", CONFIG, undefined)).toMatchObject({ status: 401 });
    await expectUnchanged();
  });

  it.each([["rep"], ["supervisor"]])("refuses a %s of the site (403): only admins administer it", async (role) => {
    const other = await stack.issuer.token(siteId, "sam", [role]);
    for (const response of [
      await stack.call("GET", CONFIG, other),
      await stack.call("PUT", CONFIG, other, { expectedVersion: 1, config: changed() }),
      await stack.call("PUT", "/v1/admin/routing-config", other, { teams: [] }),
    ])
      expect(response).toMatchObject({ status: 403, body: { reason: "ADMIN_ROLE_REQUIRED" } });
    await expectUnchanged();
  });

  it("gives another site's admin his own site only: he never reads or changes this one", async () => {
    const stranger = await stack.site();
    expect(await stack.call("GET", CONFIG, stranger.token)).toMatchObject({ status: 404 });
    expect(await stack.call("GET", `${CONFIG}/versions/1`, stranger.token)).toMatchObject({ status: 404 });
    expect((await stack.call("GET", `${CONFIG}/versions`, stranger.token)).body.versions).toEqual([]);
    // Writing "version 1 → 2" from his token is a write to his site, which has no version 1.
    expect(await stack.call("PUT", CONFIG, stranger.token, { expectedVersion: 1, config: changed() })).toMatchObject({
      status: 409,
    });
    const his = await stack.call("PUT", CONFIG, stranger.token, { expectedVersion: 0, config: changed() });
    expect(his.body).toMatchObject({ siteId: stranger.siteId, version: 1 });
    await expectUnchanged();
  });

  it("refuses expired, foreign-audience, foreign-issuer and unsigned tokens (401) and changes nothing", async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await stack.issuer.token(siteId, "ada", ["admin"], { expiresIn: now - 120 });
    const response = await stack.call("PUT", CONFIG, expired, { expectedVersion: 1, config: changed() });
    expect(response).toMatchObject({ status: 401, body: { reason: "TOKEN_EXPIRED" } });
    for (const bad of [
      await stack.issuer.token(siteId, "ada", ["admin"], { audience: "handoff-agent-api" }),
      await stack.issuer.token(siteId, "ada", ["admin"], { issuer: "https://elsewhere.example" }),
      `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify({ site: siteId, sub: "ada", roles: ["admin"] })).toString("base64url")}.`,
    ])
      expect(await stack.call("PUT", CONFIG, bad, { expectedVersion: 1, config: changed() })).toMatchObject({
        status: 401,
        body: { reason: "TOKEN_INVALID" },
      });
    await expectUnchanged();
  });

  it("is served on the admin listener only, never on the public port", async () => {
    const publicPort = stack.intake.httpPort!;
    const response = await fetch(`http://127.0.0.1:${publicPort}${CONFIG}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${publicPort}/v1/admin/openapi.json`)).status).toBe(404);
  });

  it("serves its OpenAPI document without a token, as checked in", async () => {
    const served = await fetch(`${stack.adminUrl}/v1/admin/openapi.json`);
    expect(served.status).toBe(200);
    expect(await served.json()).toEqual(JSON.parse(readFileSync(ADMIN_OPENAPI_FILE, "utf8")));
  });
});
