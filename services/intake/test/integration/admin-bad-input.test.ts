import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PortalConfigInput } from "../../src/domain/portal-config";
import { AdminStack } from "../support/admin-stack";
import { demoRouting, fullPortalConfig } from "../support/portal-configs";

const CONFIG = "/v1/admin/portal-config";

const publicJwk = (type: "ec" | "ed25519", namedCurve?: string) =>
  (type === "ec"
    ? generateKeyPairSync("ec", { namedCurve: namedCurve ?? "P-256" })
    : generateKeyPairSync("ed25519")
  ).publicKey.export({ format: "jwk" });
const privateEd25519 = () => generateKeyPairSync("ed25519").privateKey.export({ format: "jwk" });

type Change = (config: PortalConfigInput) => unknown;
const withKeys =
  (...keys: unknown[]): Change =>
  (c) => ({ ...c, identityKeys: { keys } });
const notice = (overrides: Record<string, unknown> = {}) => ({
  id: "n",
  text: "Notice.",
  delivery: "automatic",
  ...overrides,
});

/** Each bad config, and the field its 400 must name. */
const BAD_CONFIGS: [string, Change, string][] = [
  [
    "a start method left out",
    (c) => ({ ...c, startMethods: { ...c.startMethods, repList: undefined } }),
    "config.startMethods.repList",
  ],
  [
    "no client mode",
    (c) => ({ ...c, startMethods: { ...c.startMethods, clientModes: [] } }),
    "config.startMethods.clientModes",
  ],
  [
    "an unknown client mode",
    (c) => ({ ...c, startMethods: { ...c.startMethods, clientModes: ["fax"] } }),
    "config.startMethods.clientModes.0",
  ],
  [
    "a client mode twice",
    (c) => ({ ...c, startMethods: { ...c.startMethods, clientModes: ["full_client", "full_client"] } }),
    "config.startMethods.clientModes.1",
  ],
  ["an issue form without problem types", (c) => ({ ...c, problemTypes: [] }), "config.problemTypes"],
  ["a malformed problem type id", (c) => ({ ...c, problemTypes: ["printer", "no spaces"] }), "config.problemTypes.1"],
  ["a problem type twice", (c) => ({ ...c, problemTypes: ["printer", "printer"] }), "config.problemTypes.1"],
  ["an agreement without a version", (c) => ({ ...c, agreement: { text: "Terms." } }), "config.agreement.version"],
  [
    "an agreement version with spaces",
    (c) => ({ ...c, agreement: { version: "v 1", text: "Terms." } }),
    "config.agreement.version",
  ],
  ["an empty agreement", (c) => ({ ...c, agreement: { version: "1", text: "" } }), "config.agreement.text"],
  [
    "control characters in the agreement",
    (c) => ({ ...c, agreement: { version: "1", text: "Terms\u0007" } }),
    "config.agreement.text",
  ],
  [
    "a recording prompt too long",
    (c) => ({ ...c, recordingPrompt: { text: "r".repeat(2_001) } }),
    "config.recordingPrompt.text",
  ],
  [
    "an unknown placeholder",
    (c) => ({ ...c, messages: { ...c.messages, greeting: "You are {{queueLength}}th." } }),
    "config.messages.greeting",
  ],
  [
    "a placeholder left open",
    (c) => ({ ...c, messages: { ...c.messages, hold: "Number {{position, hold on." } }),
    "config.messages.hold",
  ],
  [
    "a hold interval too short",
    (c) => ({ ...c, messages: { ...c.messages, holdIntervalSeconds: 5 } }),
    "config.messages.holdIntervalSeconds",
  ],
  [
    "a fractional hold interval",
    (c) => ({ ...c, messages: { ...c.messages, holdIntervalSeconds: 30.5 } }),
    "config.messages.holdIntervalSeconds",
  ],
  [
    "a notice of 1,021 characters",
    (c) => ({ ...c, notices: [notice({ text: "n".repeat(1_021) })] }),
    "config.notices.0.text",
  ],
  [
    "a notice delivered by email",
    (c) => ({ ...c, notices: [notice({ delivery: "email" })] }),
    "config.notices.0.delivery",
  ],
  [
    "a notice ending before it starts",
    (c) => ({
      ...c,
      notices: [notice({ activeFrom: "2026-12-02T10:00:00Z", activeUntil: "2026-12-01T10:00:00+01:00" })],
    }),
    "config.notices.0.activeUntil",
  ],
  [
    "a notice window without an offset",
    (c) => ({ ...c, notices: [notice({ activeFrom: "2026-12-02 10:00" })] }),
    "config.notices.0.activeFrom",
  ],
  ["a notice id twice", (c) => ({ ...c, notices: [notice(), notice()] }), "config.notices.1.id"],
  [
    "eleven notices",
    (c) => ({ ...c, notices: Array.from({ length: 11 }, (_, i) => notice({ id: `n${i}` })) }),
    "config.notices",
  ],
  [
    "an offset for a time zone",
    (c) => ({ ...c, schedule: { timeZone: "+01:00", weekly: {} } }),
    "config.schedule.timeZone",
  ],
  [
    "overlapping hours",
    (c) => ({
      ...c,
      schedule: {
        timeZone: "Europe/Berlin",
        weekly: {
          monday: [
            { opens: "08:00", closes: "12:00" },
            { opens: "11:00", closes: "17:00" },
          ],
        },
      },
    }),
    "config.schedule.weekly.monday.1.opens",
  ],
  ["a fallback over ftp", (c) => ({ ...c, fallbackUrl: "ftp://help.example.com/" }), "config.fallbackUrl"],
  [
    "a plain-http fallback off loopback",
    (c) => ({ ...c, fallbackUrl: "http://help.example.com/" }),
    "config.fallbackUrl",
  ],
  [
    "an origin with a path",
    (c) => ({ ...c, allowedOrigins: ["https://www.example.com/support"] }),
    "config.allowedOrigins.0",
  ],
  [
    "an origin with a trailing slash",
    (c) => ({ ...c, allowedOrigins: ["https://www.example.com/"] }),
    "config.allowedOrigins.0",
  ],
  ["a wildcard origin", (c) => ({ ...c, allowedOrigins: ["https://*.example.com"] }), "config.allowedOrigins.0"],
  [
    "an origin twice",
    (c) => ({ ...c, allowedOrigins: ["https://a.example.com", "https://a.example.com"] }),
    "config.allowedOrigins.1",
  ],
  ["a private identity key", withKeys({ ...privateEd25519(), kid: "k1" }), "config.identityKeys.keys.0.d"],
  ["an RSA identity key", withKeys({ kty: "RSA", kid: "k1", n: "AQAB", e: "AQAB" }), "config.identityKeys.keys.0.kty"],
  ["a P-384 identity key", withKeys({ ...publicJwk("ec", "P-384"), kid: "k1" }), "config.identityKeys.keys.0.crv"],
  [
    "an EC key claiming EdDSA",
    withKeys({ ...publicJwk("ec"), kid: "k1", alg: "EdDSA" }),
    "config.identityKeys.keys.0.alg",
  ],
  ["an identity key without a kid", withKeys(publicJwk("ed25519")), "config.identityKeys.keys.0.kid"],
  [
    "a kid twice",
    withKeys({ ...publicJwk("ed25519"), kid: "k1" }, { ...publicJwk("ec"), kid: "k1" }),
    "config.identityKeys.keys.1.kid",
  ],
  ["a point off the curve", withKeys({ ...publicJwk("ec"), kid: "k1", x: "AAAA" }), "config.identityKeys.keys.0.x"],
  ["no identity keys in the set", withKeys(), "config.identityKeys.keys"],
  ["an unknown field", (c) => ({ ...c, colour: "blue" }), "config.colour"],
  [
    "a reporting time zone other than the schedule's",
    (c) => ({ ...c, reporting: { timeZone: "Europe/London" } }),
    "config.reporting.timeZone",
  ],
  [
    "an unknown reporting time zone",
    (c) => ({ ...c, reporting: { timeZone: "Mars/Olympus" } }),
    "config.reporting.timeZone",
  ],
  [
    "a service level within 0 seconds",
    (c) => ({ ...c, reporting: { serviceLevelThresholdSeconds: 0 } }),
    "config.reporting.serviceLevelThresholdSeconds",
  ],
  [
    "a fractional service level threshold",
    (c) => ({ ...c, reporting: { serviceLevelThresholdSeconds: 20.5 } }),
    "config.reporting.serviceLevelThresholdSeconds",
  ],
  [
    "a short-abandon threshold over an hour",
    (c) => ({ ...c, reporting: { shortAbandonThresholdSeconds: 3_601 } }),
    "config.reporting.shortAbandonThresholdSeconds",
  ],
];

let stack: AdminStack;
let token: string;
beforeAll(async () => {
  stack = await AdminStack.start();
  ({ token } = await stack.site());
  await stack.call("PUT", "/v1/admin/routing-config", token, demoRouting());
  expect((await stack.call("PUT", CONFIG, token, { expectedVersion: 0, config: fullPortalConfig() })).status).toBe(200);
});
afterAll(async () => {
  await stack?.stop();
});

async function expectUnchanged(): Promise<void> {
  const now = await stack.call("GET", CONFIG, token);
  expect(now.body.version).toBe(1);
  expect((await stack.call("GET", `${CONFIG}/versions`, token)).body.versions).toHaveLength(1);
}

describe("a bad portal config", () => {
  it.each(BAD_CONFIGS)("with %s is a 400 naming %s's field", async (_what, change, field) => {
    const response = await stack.call("PUT", CONFIG, token, { expectedVersion: 1, config: change(fullPortalConfig()) });
    expect(response.status).toBe(400);
    expect(response.contentType).toContain("application/problem+json");
    expect(response.body.field).toBe(field);
    expect(response.body.errors?.map((e) => e.field)).toContain(field);
  });

  it("changes nothing, whatever was wrong", expectUnchanged);

  it("names every field at fault at once", async () => {
    const config = {
      ...fullPortalConfig(),
      fallbackUrl: "nope",
      notices: [notice({ text: "" })],
      messages: { greeting: "{{x}}", hold: "ok", holdIntervalSeconds: 0 },
    };
    const response = await stack.call("PUT", CONFIG, token, { expectedVersion: -1, config });
    expect(response.body.errors?.map((e) => e.field).sort()).toEqual([
      "config.fallbackUrl",
      "config.messages.greeting",
      "config.messages.holdIntervalSeconds",
      "config.notices.0.text",
      "expectedVersion",
    ]);
  });

  it("without a config, or not JSON, or not an object, is a 400 naming the body", async () => {
    expect((await stack.call("PUT", CONFIG, token, { expectedVersion: 1 })).body.field).toBe("config");
    expect(await stack.call("PUT", CONFIG, token, "{not json")).toMatchObject({ status: 400, body: { field: "body" } });
    expect(await stack.call("PUT", CONFIG, token, "[1,2]")).toMatchObject({ status: 400, body: { field: "body" } });
    await expectUnchanged();
  });

  it("larger than the listener takes is refused with 413 before it is read", async () => {
    const huge = {
      expectedVersion: 1,
      config: { ...fullPortalConfig(), agreement: { version: "x", text: "a".repeat(1_100_000) } },
    };
    expect(await stack.call("PUT", CONFIG, token, huge)).toMatchObject({ status: 413, body: { field: "body" } });
    const routing = {
      teams: Array.from({ length: 40_000 }, (_, i) => ({ id: `team-${i}`, name: `Team number ${i}` })),
    };
    expect((await stack.call("PUT", "/v1/admin/routing-config", token, routing)).status).toBe(413);
    await expectUnchanged();
  });

  it("bad query and path values name their field", async () => {
    expect((await stack.call("GET", `${CONFIG}/versions?limit=500`, token)).body.field).toBe("limit");
    expect((await stack.call("GET", `${CONFIG}/versions?before=x`, token)).body.field).toBe("before");
    expect((await stack.call("GET", `${CONFIG}/versions/0`, token)).body.field).toBe("version");
  });
});
