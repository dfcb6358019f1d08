import { status } from "@grpc/grpc-js";
import { errorInfo } from "@handoff/runtime";
import { infrastructureEnv, startService, type ServiceProcess } from "@handoff/testing";
import { AbandonReason } from "@handoff/proto/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAcd, type Acd } from "../support/acd-client";
import { grpcError } from "../support/acd-under-test";
import { enqueueInTeam, newSite, team } from "../support/routing-fixture";

const PER_TEAM = 3;
const PER_SITE = 5;

// Issue 11: there was no limit on queue length (20,000 sessions waiting in one team were accepted).
describe("the acd's queue bounds", () => {
  let service: ServiceProcess;
  let acd: Acd;
  beforeAll(async () => {
    service = await startService("acd", {
      REDIS_URL: infrastructureEnv().REDIS_URL,
      KAFKA_BROKERS: infrastructureEnv().KAFKA_BROKERS,
      MAX_WAITING_PER_TEAM: String(PER_TEAM),
      MAX_SESSIONS_PER_SITE: String(PER_SITE),
    });
    acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
  });
  afterAll(async () => {
    acd?.close();
    await service?.stop();
  });

  const enqueue = (siteId: string, sessionId: string, teamId: string) => enqueueInTeam(acd, siteId, sessionId, teamId);

  it("refuses a session beyond a team's or the site's bound with RESOURCE_EXHAUSTED and QUEUE_FULL, and takes one again once room is made", async () => {
    const siteId = newSite();
    await acd.putRoutingConfig({ siteId, config: { teams: [team("a"), team("b")], problemTypes: [], version: 0 } });
    for (let i = 0; i < PER_TEAM; i++) await enqueue(siteId, `a-${i}`, "a");

    const teamFull = await grpcError(enqueue(siteId, "a-extra", "a"));
    expect(teamFull.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(errorInfo(teamFull)).toMatchObject({
      reason: "QUEUE_FULL",
      metadata: { scope: "team", team_id: "a", limit: String(PER_TEAM) },
    });
    // A repeated enqueue of a waiting session still answers where it stands.
    expect((await enqueue(siteId, "a-0", "a")).position?.position).toBe(1);

    for (let i = 0; i < PER_SITE - PER_TEAM; i++) await enqueue(siteId, `b-${i}`, "b");
    const siteFull = await grpcError(enqueue(siteId, "b-extra", "b"));
    expect(siteFull.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(errorInfo(siteFull)).toMatchObject({ reason: "QUEUE_FULL", metadata: { scope: "site", site_id: siteId } });

    await acd.abandonSession({ siteId, sessionId: "b-0", reason: AbandonReason.ABANDON_REASON_CUSTOMER_LEFT });
    expect((await enqueue(siteId, "b-extra", "b")).position?.position).toBe(PER_SITE - PER_TEAM);
    // Another site is not held back by this one.
    const other = newSite();
    await acd.putRoutingConfig({ siteId: other, config: { teams: [team("a")], problemTypes: [], version: 0 } });
    expect((await enqueue(other, "first", "a")).position?.position).toBe(1);
  });
});
