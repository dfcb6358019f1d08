import {
  connectAcd,
  connectPresence,
  eventually,
  refusal,
  teamTarget,
  type Acd,
  type Presence,
} from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminStack } from "../support/admin-stack";
import { demoRouting, fullPortalConfig } from "../support/portal-configs";

const SITE = "/v1/admin/site";
const ROUTING = "/v1/admin/routing-config";
const PORTAL_CONFIG = "/v1/admin/portal-config";

// Issue 11 item 4, left from the last stop: a site could be retired only by calling the acd and
// presence over gRPC with intake's certificate. The admin API retires it now, through the real acd
// and presence, and intake's portal forgets it.
let stack: AdminStack;
let acd: Acd;
let presence: Presence;
beforeAll(async () => {
  stack = await AdminStack.start({ presence: true });
  acd = connectAcd(`127.0.0.1:${stack.acd.grpcPort}`);
  presence = connectPresence(`127.0.0.1:${stack.presence!.grpcPort}`);
}, 120_000);
afterAll(async () => {
  acd?.close();
  presence?.close();
  await stack?.stop();
});

const portalStatus = async (siteId: string) =>
  (await fetch(`http://127.0.0.1:${stack.intake.httpPort}/v1/sites/${siteId}/portal`)).status;

describe("retiring a site through the admin API", () => {
  it("is refused while a session is in routing, then retires the site in the acd, presence and the portal", async () => {
    const { siteId, token } = await stack.site();
    expect((await stack.call("PUT", ROUTING, token, demoRouting())).status).toBe(200);
    expect(
      (await stack.call("PUT", PORTAL_CONFIG, token, { expectedVersion: 0, config: fullPortalConfig() })).status,
    ).toBe(200);
    await presence.login({ siteId, repId: "carol", teamIds: ["billing"], connectionId: "desk" });
    await eventually(async () => (await acd.getRepRouting({ siteId, repId: "carol" })).known, 15_000);
    // Nobody serves support: the session waits there.
    await acd.enqueueSession({
      siteId,
      sessionId: "waiting",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    expect(await portalStatus(siteId)).toBe(200);

    const inUse = await stack.call("DELETE", SITE, token);
    expect(inUse).toMatchObject({
      status: 409,
      contentType: expect.stringContaining("application/problem+json") as string,
      body: { reason: "SITE_IN_USE", sessions: 1 },
    });
    expect(inUse.body.detail).toContain("1 session(s) waiting, offered or active");
    // Nothing was retired: routing, presence and the portal are as they were.
    expect((await stack.call("GET", ROUTING, token)).status).toBe(200);
    expect((await stack.call("GET", PORTAL_CONFIG, token)).status).toBe(200);
    expect((await presence.getRep({ siteId, repId: "carol" })).rep?.repId).toBe("carol");

    await acd.abandonSession({ siteId, sessionId: "waiting", reason: 1 });
    const retired = await stack.call("DELETE", SITE, token);
    expect(retired).toMatchObject({ status: 200, body: { siteId, retiredBy: "ada", throughVersion: 1 } });
    expect(retired.body.removedKeys?.acd).toBeGreaterThan(0);
    expect(retired.body.removedKeys?.presence).toBeGreaterThan(0);

    // The acd and presence no longer know the site; intake has no current config for it.
    expect((await refusal(acd.getRoutingConfig({ siteId }))).details).toContain("site_id");
    expect((await refusal(presence.getRep({ siteId, repId: "carol" }))).details).toContain("not known to presence");
    expect(await stack.call("GET", ROUTING, token)).toMatchObject({ status: 404 });
    expect(await stack.call("GET", PORTAL_CONFIG, token)).toMatchObject({
      status: 404,
      body: { reason: "PORTAL_CONFIG_NOT_FOUND" },
    });
    // The portal forgets it within its cache time (2 s); the history stays readable to the admin.
    await eventually(async () => (await portalStatus(siteId)) === 404, 5_000);
    expect((await stack.call("GET", `${PORTAL_CONFIG}/versions`, token)).body.versions?.map((v) => v.version)).toEqual([
      1,
    ]);

    // Asked again (a retirement cut short is finished this way), it answers the same with nothing left to remove.
    expect(await stack.call("DELETE", SITE, token)).toMatchObject({
      status: 200,
      body: { throughVersion: 1, removedKeys: { acd: 0, presence: 0 } },
    });
  });

  it("starts a retired site afresh when its configs are saved again, numbering on from its history", async () => {
    const { siteId, token } = await stack.site();
    await stack.call("PUT", ROUTING, token, demoRouting());
    await stack.call("PUT", PORTAL_CONFIG, token, { expectedVersion: 0, config: fullPortalConfig() });
    expect((await stack.call("DELETE", SITE, token)).status).toBe(200);

    expect(await stack.call("PUT", ROUTING, token, demoRouting())).toMatchObject({ status: 200, body: { version: 1 } });
    // The version it replaces is "none" (0), as for a new site; an old ETag is stale.
    expect(
      await stack.call("PUT", PORTAL_CONFIG, token, { expectedVersion: 1, config: fullPortalConfig() }),
    ).toMatchObject({ status: 409, body: { reason: "VERSION_CONFLICT" } });
    const again = await stack.call("PUT", PORTAL_CONFIG, token, { expectedVersion: 0, config: fullPortalConfig() });
    expect(again).toMatchObject({ status: 200, etag: '"2"', body: { siteId, version: 2 } });
    expect((await stack.call("GET", PORTAL_CONFIG, token)).body.version).toBe(2);
    await eventually(async () => (await portalStatus(siteId)) === 200, 5_000);
  });
});
