import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoRouting } from "../support/portal-configs";
import { issueStart, openPortal } from "../support/portal-fixtures";
import { PortalStack } from "../support/portal-stack";

const PER_ADDRESS = 30;
const PER_SITE = 20;

let stack: PortalStack;
beforeAll(async () => {
  stack = await PortalStack.start({
    RATE_LIMIT_PER_MINUTE: String(PER_ADDRESS),
    SITE_RATE_LIMIT_PER_MINUTE: String(PER_SITE),
    TRUST_PROXY_HOPS: "1",
  });
}, 180_000);
afterAll(async () => {
  await stack?.stop();
});

/** A GET of the site's portal from a loopback address of our choice (127.0.0.0/8 all reach 127.0.0.1). */
function portalFrom(
  address: string,
  siteId: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; reason?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${stack.publicUrl}/v1/sites/${siteId}/portal`, { localAddress: address, headers }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += chunk.toString()));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, reason: (JSON.parse(text) as { reason?: string }).reason }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("abuse protection of the public portal", () => {
  it("limits requests per client address, whatever the site; other addresses go on", async () => {
    const sites = [
      await stack.site(demoRouting(), openPortal()),
      await stack.site(demoRouting(), openPortal()),
      await stack.site(demoRouting(), openPortal()),
    ];
    for (let i = 0; i < PER_ADDRESS; i++) expect((await portalFrom("127.0.0.2", sites[i % 3]!)).status).toBe(200);
    expect(await portalFrom("127.0.0.2", sites[0]!)).toEqual({ status: 429, reason: "RATE_LIMITED" });
    expect((await portalFrom("127.0.0.3", sites[0]!)).status).toBe(200);
  });

  it("limits requests per site, whoever sends them; other sites go on", async () => {
    const busy = await stack.site(demoRouting(), openPortal());
    const quiet = await stack.site(demoRouting(), openPortal());
    for (let i = 0; i < PER_SITE; i++) expect((await portalFrom(`127.0.1.${i + 1}`, busy)).status).toBe(200);
    expect(await portalFrom("127.0.2.1", busy)).toEqual({ status: 429, reason: "RATE_LIMITED" });
    expect((await portalFrom("127.0.2.1", quiet)).status).toBe(200);
  });

  it("behind a proxy, counts the client the proxy names, not the proxy", async () => {
    const sites = [await stack.site(demoRouting(), openPortal()), await stack.site(demoRouting(), openPortal())];
    const client = (n: number) => ({ "x-forwarded-for": `203.0.113.${n}` });
    for (let i = 0; i < PER_ADDRESS; i++)
      expect((await portalFrom("127.0.0.4", sites[i % 2]!, client(1))).status).toBe(200);
    expect(await portalFrom("127.0.0.4", sites[0]!, client(1))).toEqual({ status: 429, reason: "RATE_LIMITED" });
    // Another customer through the same proxy goes on.
    expect((await portalFrom("127.0.0.4", sites[1]!, client(2))).status).toBe(200);
  });

  it("refuses a body over 16 kB", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const oversize = await stack.call("POST", `/v1/sites/${siteId}/sessions`, {
      body: issueStart("Ann", { customer: { name: "Ann", description: "x".repeat(17_000) } }),
    });
    expect(oversize).toMatchObject({ status: 413, body: { field: "body" } });
  });

  it("answers CORS only for the site's allowed origins and refuses others", async () => {
    const siteId = await stack.site(demoRouting(), openPortal({ allowedOrigins: ["https://www.example.com"] }));
    const allowed = await stack.call("GET", `/v1/sites/${siteId}/portal`, {
      headers: { origin: "https://www.example.com" },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe("https://www.example.com");

    const preflight = await stack.call("OPTIONS", `/v1/sites/${siteId}/sessions`, {
      headers: {
        origin: "https://www.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/authorization/i);

    // The widget's frame is served by intake itself: its own origin is always allowed.
    const own = await stack.call("GET", `/v1/sites/${siteId}/portal`, { headers: { origin: stack.publicUrl } });
    expect(own.status).toBe(200);

    for (const method of ["GET", "OPTIONS"] as const) {
      const refused = await stack.call(method, `/v1/sites/${siteId}/portal`, {
        headers: { origin: "https://evil.example" },
      });
      expect(refused).toMatchObject({ status: 403, body: { reason: "ORIGIN_NOT_ALLOWED" } });
      expect(refused.headers.get("access-control-allow-origin")).toBeNull();
    }
    const start = await stack.call("POST", `/v1/sites/${siteId}/sessions`, {
      body: issueStart("Ann"),
      headers: { origin: "https://evil.example" },
    });
    expect(start).toMatchObject({ status: 403, body: { reason: "ORIGIN_NOT_ALLOWED" } });
  });
});
