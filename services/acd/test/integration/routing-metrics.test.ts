import { AbandonReason } from "@handoff/proto/common";
import { eventually, privateRedisUrl, PrometheusEndpoint } from "@handoff/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { subscribeOffers } from "../support/acd-client";
import { runAcd } from "../support/acd-under-test";
import { enqueueInTeam, repOnline } from "../support/routing-fixture";

/**
 * Its own database: the leader relays every site's outbox in its database, and another file's acd,
 * stopped before its leader relayed, leaves events there that this acd would count (CI once saw 5
 * queued for this test's 2).
 */
const REDIS_DB = 7;

let metrics: PrometheusEndpoint;
beforeAll(async () => {
  metrics = await PrometheusEndpoint.create();
});

describe("routing metrics on the acd's Prometheus port", () => {
  // This acd process routes only this test's site, so its counters are exactly this test's events.
  const running = runAcd(() => ({ REDIS_URL: privateRedisUrl(REDIS_DB), ...metrics.env }));

  it("counts each relayed event by type and records the waits they carry", async () => {
    const { acd } = running;
    const siteId = await running.siteWith();
    for (const sessionId of ["served", "leaves"]) {
      await enqueueInTeam(acd, siteId, sessionId);
    }
    const inbox = await subscribeOffers(acd, siteId, ["rep-1"]);
    try {
      await repOnline(acd, siteId, "rep-1", ["support"], 1);
      const offer = await inbox.next((o) => o.sessionId === "served");
      await acd.acceptOffer({ siteId, sessionId: "served", repId: "rep-1", epoch: offer.epoch });
      await acd.abandonSession({ siteId, sessionId: "leaves", reason: AbandonReason.ABANDON_REASON_CUSTOMER_LEFT });
    } finally {
      inbox.close();
    }

    const events = (type: string) => metrics.sum("handoff_acd_routing_events_total", `type="${type}"`);
    await eventually(async () => (await events("SessionAbandoned")) === 1, 20_000, "the abandon relayed");
    expect({
      queued: await events("SessionQueued"),
      offered: await events("OfferCreated"),
      accepted: await events("OfferAccepted"),
      abandoned: await events("SessionAbandoned"),
    }).toEqual({ queued: 2, offered: 1, accepted: 1, abandoned: 1 });
    const scrape = await metrics.scrape();
    expect(scrape).toMatch(/^handoff_acd_answer_wait\w*_count(\{[^}]*\})? 1$/m);
    expect(scrape).toMatch(/^handoff_acd_abandon_wait\w*_count\{[^}]*reason="ABANDON_REASON_CUSTOMER_LEFT"[^}]*\} 1$/m);
  });
});
