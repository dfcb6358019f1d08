import { RepState, SessionState } from "@handoff/proto/common";
import {
  connectAcd,
  connectPresence,
  infrastructureEnv,
  startService,
  type Acd,
  type Presence,
  type ServiceProcess,
} from "@handoff/testing";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const INTERVAL_MS = 500;
const TOLERANCE = 2;

describe("presence heartbeats with the real acd", () => {
  let acdProcess: ServiceProcess;
  let presenceProcess: ServiceProcess;
  let acd: Acd;
  let presence: Presence;
  beforeAll(async () => {
    const { REDIS_URL, KAFKA_BROKERS } = infrastructureEnv();
    acdProcess = await startService("acd", { REDIS_URL, KAFKA_BROKERS });
    presenceProcess = await startService("presence", {
      REDIS_URL,
      KAFKA_BROKERS,
      ACD_ADDRESS: `127.0.0.1:${acdProcess.grpcPort}`,
      HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS),
      HEARTBEAT_TOLERANCE: String(TOLERANCE),
    });
    acd = connectAcd(`127.0.0.1:${acdProcess.grpcPort}`);
    presence = connectPresence(`127.0.0.1:${presenceProcess.grpcPort}`);
  });
  afterAll(async () => {
    acd.close();
    presence.close();
    await presenceProcess.stop();
    await acdProcess.stop();
  });

  it("takes a rep who stops heartbeating offline and re-routes his pending offer to another rep", async () => {
    const siteId = `test-${randomUUID()}`;
    await acd.putRoutingConfig({
      siteId,
      config: {
        version: 0,
        problemTypes: [],
        teams: [
          {
            id: "support",
            name: "Support",
            strategy: 0,
            offerTimeoutMs: 60_000,
            overflow: [],
            transferKeepsWaitTime: false,
            transferPriorityBoost: 0,
            memberRepIds: ["ann", "ben"],
          },
        ],
      },
    });
    await presence.login({ siteId, repId: "ann", teamIds: ["support"], connectionId: "ann-desk" });
    await acd.enqueueSession({
      siteId,
      sessionId: "s1",
      target: { target: { $case: "teamId", teamId: "support" } },
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    expect((await acd.getSessionRouting({ siteId, sessionId: "s1" })).repId).toBe("ann");

    await presence.login({ siteId, repId: "ben", teamIds: ["support"], connectionId: "ben-desk" });
    const stopAt = Date.now();
    // ben keeps heartbeating; ann stops.
    const beat = setInterval(
      () => void presence.heartbeat({ siteId, repId: "ben", connectionId: "ben-desk" }).catch(() => undefined),
      INTERVAL_MS,
    );
    try {
      const deadline = stopAt + INTERVAL_MS * TOLERANCE + 2_000;
      let routing = await acd.getSessionRouting({ siteId, sessionId: "s1" });
      while (routing.repId !== "ben" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        routing = await acd.getSessionRouting({ siteId, sessionId: "s1" });
      }
      expect(routing).toMatchObject({ state: SessionState.SESSION_STATE_OFFERED, repId: "ben" });
      const ann = await presence.getRep({ siteId, repId: "ann" });
      expect(ann.rep).toMatchObject({
        state: RepState.REP_STATE_OFFLINE,
        liveConnections: 0,
        reasonCode: "connection-lost",
      });
      expect(Date.now() - stopAt).toBeLessThanOrEqual(INTERVAL_MS * TOLERANCE + 2_000);
    } finally {
      clearInterval(beat);
    }
  });

  it("tells the acd only when a heartbeat makes the rep connected, not on every heartbeat", async () => {
    const siteId = `test-${randomUUID()}`;
    await acd.putRoutingConfig({
      siteId,
      config: {
        version: 0,
        problemTypes: [],
        teams: [
          {
            id: "support",
            name: "Support",
            strategy: 0,
            offerTimeoutMs: 60_000,
            overflow: [],
            transferKeepsWaitTime: false,
            transferPriorityBoost: 0,
            memberRepIds: ["cai"],
          },
        ],
      },
    });
    await presence.login({ siteId, repId: "cai", teamIds: ["support"], connectionId: "" });
    const before = await acd.getRepRouting({ siteId, repId: "cai" });
    expect(before.connected).toBe(false);
    await presence.heartbeat({ siteId, repId: "cai", connectionId: "desk" });
    const connected = await acd.getRepRouting({ siteId, repId: "cai" });
    expect(connected).toMatchObject({ connected: true, version: before.version + 1 });
    await presence.heartbeat({ siteId, repId: "cai", connectionId: "desk" });
    await presence.heartbeat({ siteId, repId: "cai", connectionId: "desk" });
    expect((await acd.getRepRouting({ siteId, repId: "cai" })).version).toBe(connected.version);
  });
});
