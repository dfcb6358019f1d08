import { status, type ServiceError } from "@grpc/grpc-js";
import { errorInfo } from "@handoff/runtime";
import { infrastructureEnv, startService, type ServiceProcess } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAcd, subscribeOffers, type Acd } from "../support/acd-client";
import { newSite, repOnline, team } from "../support/routing-fixture";

// Issue 11, "open streams per identity": a caller may hold at most MAX_STREAMS_PER_CALLER offer streams
// on a replica; one more is refused and the open ones keep delivering.
describe("the acd's bound on open offer streams per caller", () => {
  let service: ServiceProcess;
  let acd: Acd;
  beforeAll(async () => {
    const { REDIS_URL, KAFKA_BROKERS } = infrastructureEnv();
    service = await startService("acd", { REDIS_URL, KAFKA_BROKERS, MAX_STREAMS_PER_CALLER: "2" });
    acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
  });
  afterAll(async () => {
    acd.close();
    await service.stop();
  });

  it("refuses a stream beyond the bound with RESOURCE_EXHAUSTED and takes one again once a stream ends", async () => {
    const siteId = newSite();
    await acd.putRoutingConfig({ siteId, config: { teams: [team("support")], problemTypes: [], version: 0 } });
    await repOnline(acd, siteId, "ann", ["support"]);
    const first = await subscribeOffers(acd, siteId, ["ann"], "one");
    const second = await subscribeOffers(acd, siteId, ["ann"], "two");
    const third = () =>
      new Promise<ServiceError | "subscribed">((resolve) => {
        const stream = acd.raw.subscribeOffers({ siteId, subscriberId: "three", repIds: ["ann"] });
        stream.on("data", () => {
          resolve("subscribed");
          stream.cancel();
        });
        stream.on("error", resolve);
      });
    const refused = (await third()) as ServiceError;
    expect([refused.code, errorInfo(refused)?.reason, errorInfo(refused)?.metadata]).toEqual([
      status.RESOURCE_EXHAUSTED,
      "TOO_MANY_STREAMS",
      { caller: "session-broker", limit: "2" },
    ]);

    await acd.enqueueSession({
      siteId,
      sessionId: "s1",
      target: { target: { $case: "teamId", teamId: "support" } },
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
    });
    expect((await first.next((o) => o.sessionId === "s1")).repId).toBe("ann");
    expect((await second.next((o) => o.sessionId === "s1")).repId).toBe("ann");

    second.close();
    await second.ended.catch(() => undefined);
    let again: ServiceError | "subscribed" = refused;
    for (let attempt = 0; attempt < 50 && again !== "subscribed"; attempt++) {
      again = await third();
      if (again !== "subscribed") await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(again).toBe("subscribed");
    first.close();
  });
});
