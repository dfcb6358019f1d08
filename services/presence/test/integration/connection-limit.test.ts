import { status, type ServiceError } from "@grpc/grpc-js";
import { errorInfo } from "@handoff/runtime";
import {
  connectAcd,
  connectPresence,
  infrastructureEnv,
  startService,
  type Acd,
  type Presence,
  type ServiceProcess,
} from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSite, putTeams, team } from "../support/site-fixture";

const LIMIT = 4;

async function refusal(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("expected a refusal");
}

// Issue 11: 10,000 heartbeat connection ids for one rep were accepted.
describe("presence's bound on live connections per rep", () => {
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
      MAX_CONNECTIONS_PER_REP: String(LIMIT),
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

  it("refuses a rep's connection beyond MAX_CONNECTIONS_PER_REP with RESOURCE_EXHAUSTED, and keeps the live ones", async () => {
    const siteId = newSite();
    await putTeams(acd, siteId, [team("support", { memberRepIds: ["rep"] })]);
    await presence.login({ siteId, repId: "rep", teamIds: ["support"], connectionId: "c0" });
    for (let i = 1; i < LIMIT; i++) await presence.heartbeat({ siteId, repId: "rep", connectionId: `c${i}` });

    const extra = await refusal(presence.heartbeat({ siteId, repId: "rep", connectionId: `c${LIMIT}` }));
    expect(extra.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(errorInfo(extra)).toMatchObject({ reason: "TOO_MANY_CONNECTIONS", metadata: { limit: String(LIMIT) } });
    const login = await refusal(presence.login({ siteId, repId: "rep", teamIds: ["support"], connectionId: "new" }));
    expect(login.code).toBe(status.RESOURCE_EXHAUSTED);

    // The connections he holds still heartbeat, and one freed makes room for another.
    await presence.heartbeat({ siteId, repId: "rep", connectionId: "c0" });
    await presence.disconnect({ siteId, repId: "rep", connectionId: "c1" });
    await presence.heartbeat({ siteId, repId: "rep", connectionId: "replacement" });
    const { rep } = await presence.getRep({ siteId, repId: "rep" });
    expect(rep?.liveConnections).toBe(LIMIT);
  });
});
