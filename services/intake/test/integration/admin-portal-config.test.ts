import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminStack } from "../support/admin-stack";
import { demoRouting, fullPortalConfig, minimalPortalConfig } from "../support/portal-configs";

const CONFIG = "/v1/admin/portal-config";

let stack: AdminStack;
beforeAll(async () => {
  stack = await AdminStack.start();
});
afterAll(async () => {
  await stack?.stop();
});

/** A site whose acd routing knows the problem types the full config shows. */
async function routedSite() {
  const site = await stack.site();
  expect((await stack.call("PUT", "/v1/admin/routing-config", site.token, demoRouting())).status).toBe(200);
  return site;
}

describe("portal config versions", () => {
  it("creates version 1, updates it to 2 with If-Match or expectedVersion, and keeps both readable", async () => {
    const { siteId, token } = await routedSite();
    expect(await stack.call("GET", CONFIG, token)).toMatchObject({ status: 404 });

    const created = await stack.call("PUT", CONFIG, token, { expectedVersion: 0, config: fullPortalConfig() });
    expect(created).toMatchObject({ status: 200, etag: '"1"', body: { siteId, version: 1, createdBy: "ada" } });
    // Stored as validated: defaults written out, the identity key as sent.
    expect(created.body.config).toMatchObject({
      ...fullPortalConfig(),
      schedule: { weekly: { sunday: [] }, exceptions: [] },
    });

    const read = await stack.call("GET", CONFIG, token);
    expect(read).toMatchObject({ status: 200, etag: '"1"' });
    expect(read.body).toEqual(created.body);

    const changed = { ...fullPortalConfig(), notices: [] };
    const updated = await stack.call("PUT", CONFIG, token, { config: changed }, { "if-match": read.etag! });
    expect(updated).toMatchObject({ status: 200, etag: '"2"', body: { version: 2, config: { notices: [] } } });
    const third = await stack.call("PUT", CONFIG, token, { expectedVersion: 2, config: minimalPortalConfig() });
    expect(third).toMatchObject({ status: 200, body: { version: 3 } });

    const history = await stack.call("GET", `${CONFIG}/versions`, token);
    expect(history.body.versions?.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(history.body.versions?.[0]?.createdBy).toBe("ada");
    expect(Date.parse(history.body.versions?.[0]?.createdAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
    const page = await stack.call("GET", `${CONFIG}/versions?limit=1&before=3`, token);
    expect(page.body.versions?.map((v) => v.version)).toEqual([2]);
    const first = await stack.call("GET", `${CONFIG}/versions/1`, token);
    expect(first).toMatchObject({ status: 200, etag: '"1"', body: { version: 1 } });
    expect(first.body.config?.notices).toHaveLength(2);
    expect(await stack.call("GET", `${CONFIG}/versions/9`, token)).toMatchObject({
      status: 404,
      body: { reason: "PORTAL_CONFIG_NOT_FOUND" },
    });
  });

  it("refuses a write against a stale version (412 for If-Match, 409 for expectedVersion) and changes nothing", async () => {
    const { token } = await stack.site();
    await stack.call("PUT", CONFIG, token, { expectedVersion: 0, config: minimalPortalConfig() });
    const second = {
      ...minimalPortalConfig(),
      messages: { greeting: "Hi.", hold: "Hold on.", holdIntervalSeconds: 45 },
    };
    expect((await stack.call("PUT", CONFIG, token, { expectedVersion: 1, config: second })).status).toBe(200);

    const stale = await stack.call("PUT", CONFIG, token, { config: minimalPortalConfig() }, { "if-match": '"1"' });
    expect(stale).toMatchObject({ status: 412, body: { reason: "VERSION_CONFLICT", field: "If-Match" } });
    expect(stale.contentType).toContain("application/problem+json");
    expect(stale.body.detail).toContain("version 2, not 1");
    const staleBody = await stack.call("PUT", CONFIG, token, { expectedVersion: 1, config: minimalPortalConfig() });
    expect(staleBody).toMatchObject({ status: 409, body: { reason: "VERSION_CONFLICT", field: "expectedVersion" } });
    // Creating over an existing config is a conflict too, and so is a version from the future.
    expect((await stack.call("PUT", CONFIG, token, { expectedVersion: 0, config: second })).status).toBe(409);
    expect((await stack.call("PUT", CONFIG, token, { expectedVersion: 7, config: second })).status).toBe(409);

    const now = await stack.call("GET", CONFIG, token);
    expect(now.body).toMatchObject({ version: 2, config: { messages: { greeting: "Hi." } } });
  });

  it("lets exactly one of concurrent writers of the same version win", async () => {
    const { token } = await stack.site();
    const writes = await Promise.all(
      [15, 20, 25, 30, 35].map((holdIntervalSeconds) =>
        stack.call("PUT", CONFIG, token, {
          expectedVersion: 0,
          config: { ...minimalPortalConfig(), messages: { greeting: "Hi.", hold: "Hold.", holdIntervalSeconds } },
        }),
      ),
    );
    expect(writes.map((w) => w.status).sort()).toEqual([200, 409, 409, 409, 409]);
    const winner = writes.find((w) => w.status === 200)!;
    expect((await stack.call("GET", CONFIG, token)).body).toEqual(winner.body);
    expect((await stack.call("GET", `${CONFIG}/versions`, token)).body.versions ?? []).toHaveLength(1);
  });

  it("needs a version to write against (428), and If-Match and expectedVersion must agree", async () => {
    const { token } = await stack.site();
    expect(await stack.call("PUT", CONFIG, token, { config: minimalPortalConfig() })).toMatchObject({
      status: 428,
      body: { field: "expectedVersion", reason: "VERSION_REQUIRED" },
    });
    expect(
      await stack.call(
        "PUT",
        CONFIG,
        token,
        { expectedVersion: 0, config: minimalPortalConfig() },
        { "if-match": '"3"' },
      ),
    ).toMatchObject({ status: 400, body: { field: "expectedVersion" } });
    expect(
      await stack.call("PUT", CONFIG, token, { config: minimalPortalConfig() }, { "if-match": "W/1" }),
    ).toMatchObject({ status: 400, body: { field: "If-Match" } });
    expect((await stack.call("GET", CONFIG, token)).status).toBe(404);
  });

  it("refuses a new agreement text under the version customers accepted the old one with", async () => {
    const { token } = await routedSite();
    await stack.call("PUT", CONFIG, token, { expectedVersion: 0, config: fullPortalConfig() });
    const reworded = { ...fullPortalConfig(), agreement: { version: "2026-11", text: "Something else entirely." } };
    expect(await stack.call("PUT", CONFIG, token, { expectedVersion: 1, config: reworded })).toMatchObject({
      status: 400,
      body: { field: "config.agreement.version" },
    });
    const versioned = { ...reworded, agreement: { ...reworded.agreement, version: "2026-12" } };
    expect(await stack.call("PUT", CONFIG, token, { expectedVersion: 1, config: versioned })).toMatchObject({
      status: 200,
      body: { version: 2 },
    });
  });

  it("shows only problem types of the site's routing config", async () => {
    const unrouted = await stack.site();
    expect(
      await stack.call("PUT", CONFIG, unrouted.token, { expectedVersion: 0, config: fullPortalConfig() }),
    ).toMatchObject({ status: 400, body: { field: "config.problemTypes" } });

    const { token } = await routedSite();
    const unknown = { ...fullPortalConfig(), problemTypes: ["invoice", "modem"] };
    expect(await stack.call("PUT", CONFIG, token, { expectedVersion: 0, config: unknown })).toMatchObject({
      status: 400,
      body: {
        field: "config.problemTypes.1",
        detail: "config.problemTypes.1: modem is not a problem type of the site's routing config",
      },
    });
    expect((await stack.call("GET", CONFIG, token)).status).toBe(404);
  });
});
