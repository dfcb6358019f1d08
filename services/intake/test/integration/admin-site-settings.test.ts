import { randomBytes } from "node:crypto";
import { TOPICS } from "@handoff/proto";
import { SiteEvent } from "@handoff/proto/events";
import { traceIdOf, TopicReader } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AdminStack } from "../support/admin-stack";
import { demoRouting, fullPortalConfig, minimalPortalConfig } from "../support/portal-configs";

const CONFIG = "/v1/admin/portal-config";

let stack: AdminStack;
let reader: TopicReader;
beforeAll(async () => {
  stack = await AdminStack.start();
  reader = new TopicReader(process.env.KAFKA_BROKERS!, TOPICS.sites);
});
afterAll(async () => {
  await stack?.stop();
});

const settingsOf = (value: Buffer) => {
  const event = SiteEvent.decode(value);
  return event.payload?.$case === "siteSettingsChanged" ? { event, settings: event.payload.siteSettingsChanged } : null;
};

describe("site settings", () => {
  it("publishes each saved version's settings on handoff.sites.v1, keyed by site, in the request's trace", async () => {
    const { siteId, token } = await stack.site();
    expect((await stack.call("PUT", "/v1/admin/routing-config", token, demoRouting())).status).toBe(200);
    const from = await reader.ends();
    const traceId = randomBytes(16).toString("hex");
    const saved = await stack.call(
      "PUT",
      CONFIG,
      token,
      {
        expectedVersion: 0,
        config: { ...fullPortalConfig(), reporting: { serviceLevelThresholdSeconds: 30 } },
      },
      { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` },
    );
    expect(saved).toMatchObject({
      status: 200,
      body: { config: { reporting: { serviceLevelThresholdSeconds: 30, shortAbandonThresholdSeconds: 5 } } },
    });
    // Without a schedule or a reporting zone: UTC. A conflict publishes nothing.
    expect((await stack.call("PUT", CONFIG, token, { expectedVersion: 1, config: minimalPortalConfig() })).status).toBe(
      200,
    );
    expect((await stack.call("PUT", CONFIG, token, { expectedVersion: 1, config: minimalPortalConfig() })).status).toBe(
      409,
    );

    const ofSite = <M extends { key: string }>(messages: readonly M[]) => messages.filter((m) => m.key === siteId);
    const messages = ofSite(await reader.readFrom(from, (read) => ofSite(read).length >= 2, 30_000));
    expect(messages.map((m) => [m.eventId, m.eventType])).toEqual([
      [`${siteId}/portal-config/1`, "SiteSettingsChanged"],
      [`${siteId}/portal-config/2`, "SiteSettingsChanged"],
    ]);
    expect(traceIdOf(messages[0]!.traceparent)).toBe(traceId);
    expect(settingsOf(messages[0]!.value)).toMatchObject({
      event: { eventId: `${siteId}/portal-config/1`, siteId },
      settings: {
        version: 1,
        timeZone: "Europe/Berlin",
        serviceLevelThresholdMs: 30_000,
        shortAbandonThresholdMs: 5_000,
        savedBy: "ada",
      },
    });
    expect(settingsOf(messages[1]!.value)?.settings).toMatchObject({
      version: 2,
      timeZone: "UTC",
      serviceLevelThresholdMs: 20_000,
      shortAbandonThresholdMs: 5_000,
    });
    // Nothing more for the site: the conflict wrote no version and no event.
    const again = ofSite(await reader.readFrom(from, () => false, 3_000));
    expect(again).toHaveLength(2);
  });

  it("takes the reporting zone of a site without a schedule, and refuses one that differs from the schedule's", async () => {
    const { siteId, token } = await stack.site();
    const from = await reader.ends();
    const saved = await stack.call("PUT", CONFIG, token, {
      expectedVersion: 0,
      config: {
        ...minimalPortalConfig(),
        reporting: { timeZone: "America/New_York", shortAbandonThresholdSeconds: 0 },
      },
    });
    expect(saved.status).toBe(200);
    const refused = await stack.call("PUT", CONFIG, token, {
      expectedVersion: 1,
      config: {
        ...minimalPortalConfig(),
        schedule: { timeZone: "Europe/Berlin", weekly: {} },
        reporting: { timeZone: "America/New_York" },
      },
    });
    expect(refused).toMatchObject({ status: 400, body: { field: "config.reporting.timeZone" } });
    const messages = (await reader.readFrom(from, (read) => read.some((m) => m.key === siteId), 30_000)).filter(
      (m) => m.key === siteId,
    );
    expect(messages.map((m) => settingsOf(m.value)?.settings)).toEqual([
      expect.objectContaining({ version: 1, timeZone: "America/New_York", shortAbandonThresholdMs: 0 }),
    ]);
  });
});
