import { randomInt } from "node:crypto";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoRouting } from "../support/portal-configs";
import { issueStart, openPortal } from "../support/portal-fixtures";
import { PortalStack, StreamReader } from "../support/portal-stack";

const PER_ADDRESS = 30;
const PER_SITE = 20;
const PER_ADMIN = 10;

let stack: PortalStack;
/** The public URLs of the two replicas, which share one Redis key prefix. */
let replicas: [string, string];
beforeAll(async () => {
  stack = await PortalStack.start({
    RATE_LIMIT_PER_MINUTE: String(PER_ADDRESS),
    SITE_RATE_LIMIT_PER_MINUTE: String(PER_SITE),
    ADMIN_RATE_LIMIT_PER_MINUTE: String(PER_ADMIN),
  });
  replicas = [stack.publicUrl, await stack.addIntake()];
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

/** A loopback address no other test of this run uses (127.0.0.0/8 all reach 127.0.0.1). */
const freshAddress = () => `127.${randomInt(10, 250)}.${randomInt(0, 250)}.${randomInt(1, 250)}`;

/** A GET of the site's portal on one replica, from a loopback address of our choice. */
function portalFrom(
  url: string,
  address: string,
  siteId: string,
): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/v1/sites/${siteId}/portal`, { localAddress: address }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          body: JSON.parse(text) as Record<string, unknown>,
          headers: res.headers,
        }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("intake replicas share their limits and streams through Redis", () => {
  it("counts a client address on both replicas together, and the 429 says the address limit was hit", async () => {
    const sites = [await stack.site(demoRouting(), openPortal()), await stack.site(demoRouting(), openPortal())];
    const address = freshAddress();
    for (let i = 0; i < PER_ADDRESS; i++)
      expect((await portalFrom(replicas[i % 2]!, address, sites[i % 2]!)).status).toBe(200);
    for (const url of replicas) {
      const refused = await portalFrom(url, address, sites[0]!);
      expect(refused).toMatchObject({ status: 429, body: { reason: "RATE_LIMITED", limit: "address" } });
      expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
      expect(refused.headers["ratelimit"]).toMatch(/^"address";r=0;t=\d+$/);
    }
    // Another address goes on, on either replica.
    expect((await portalFrom(replicas[1], freshAddress(), sites[0]!)).status).toBe(200);
  });

  it("counts a site on both replicas together, whoever sends, and the 429 says the site limit was hit", async () => {
    const busy = await stack.site(demoRouting(), openPortal());
    const quiet = await stack.site(demoRouting(), openPortal());
    for (let i = 0; i < PER_SITE; i++)
      expect((await portalFrom(replicas[i % 2]!, freshAddress(), busy)).status).toBe(200);
    for (const url of replicas)
      expect(await portalFrom(url, freshAddress(), busy)).toMatchObject({
        status: 429,
        body: { reason: "RATE_LIMITED", limit: "site" },
      });
    expect((await portalFrom(replicas[1], freshAddress(), quiet)).status).toBe(200);
  });

  it("counts an admin on both replicas' admin APIs together, and the 429 says the admin limit was hit", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const [ada, bob] = [await stack.adminToken(siteId, "ada"), await stack.adminToken(siteId, "bob")];
    const read = async (url: string, token: string) => {
      const response = await fetch(`${url}/v1/admin/portal-config`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const admins = stack.adminUrls;
    expect(admins).toHaveLength(2);
    // The site's creation above was ada's first request (routing and portal config: two).
    for (let i = 2; i < PER_ADMIN; i++) expect((await read(admins[i % 2]!, ada)).status).toBe(200);
    for (const url of admins)
      expect(await read(url, ada)).toMatchObject({ status: 429, body: { reason: "RATE_LIMITED", limit: "admin" } });
    // Another admin of the same site is counted on his own.
    expect((await read(admins[1]!, bob)).status).toBe(200);
  });

  it("keeps one live stream per customer: a stream opened on the other replica closes the first", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const session = await stack.startSession(siteId, issueStart("Ann"));
    const streamOn = (url: string) =>
      StreamReader.open(`${url}/v1/sites/${siteId}/sessions/${session.sessionId}/events`, session.customerToken);
    const first = await streamOn(replicas[0]);
    await first.next((f) => f.event === "status");
    const second = await streamOn(replicas[1]);
    await second.next((f) => f.event === "status");
    // The first ends (next throws once the stream ended without such a frame); the second stays open.
    await expect(first.next((f) => f.event === "never", 10_000)).rejects.toThrow(/stream ended/);
    expect(second.ended).toBe(false);
    // Back on the first replica: the second closes in turn.
    const third = await streamOn(replicas[0]);
    await third.next((f) => f.event === "status");
    await expect(second.next((f) => f.event === "never", 10_000)).rejects.toThrow(/stream ended/);
    expect(third.ended).toBe(false);
    third.close();
  });
});
