import { Actor, RepState } from "@handoff/proto/common";
import { eventually, privateRedisUrl, PrometheusEndpoint } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PresenceStack } from "../support/presence-stack";
import { newSite, putTeams, team } from "../support/site-fixture";

const REDIS_DB = 6;

describe("presence metrics on its Prometheus port", () => {
  let stack: PresenceStack;
  let metrics: PrometheusEndpoint;
  beforeAll(async () => {
    metrics = await PrometheusEndpoint.create();
    // This presence process serves only this test's site, so its counters are exactly this test's. Its
    // own Redis database makes it the leader that relays (and counts) its events: on the shared one a
    // presence of another file running alongside may lead, and CI once saw this one count nothing.
    stack = await PresenceStack.start({ ...metrics.env, REDIS_URL: privateRedisUrl(REDIS_DB) });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("counts heartbeats and each relayed event by type, and records how long a rep stayed in a state", async () => {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [team("support", { memberRepIds: ["ana"] })]);
    const { presence } = stack;
    await presence.login({ siteId, repId: "ana", teamIds: ["support"], connectionId: "ana-desk" });
    for (let i = 0; i < 3; i++) await presence.heartbeat({ siteId, repId: "ana", connectionId: "ana-desk" });
    const setState = (state: RepState) =>
      presence.setState({ siteId, repId: "ana", state, reasonCode: "", actor: Actor.ACTOR_REP, actorId: "ana" });
    await setState(RepState.REP_STATE_AVAILABLE);
    await setState(RepState.REP_STATE_AWAY);

    // Leaving "available" is the last event; once it is counted, so are the ones before it.
    const leftAvailable = /^handoff_presence_state_duration_count\{[^}]*state="REP_STATE_AVAILABLE"[^}]*\} 1$/m;
    await eventually(async () => leftAvailable.test(await metrics.scrape()), 20_000, "the state changes relayed");
    const events = (type: string) => metrics.sum("handoff_presence_presence_events_total", `type="${type}"`);
    expect(await events("RepLoggedIn")).toBe(1);
    expect(await events("RepStateChanged")).toBeGreaterThanOrEqual(2);
    expect(await metrics.sum("handoff_presence_heartbeats_total")).toBe(3);
  });
});
