import { status } from "@grpc/grpc-js";
import { AcdServiceClient } from "@handoff/proto/acd_service";
import { callUnary, createGrpcClient, MAX_GRPC_MESSAGE_BYTES } from "@handoff/runtime";
import { devClientTls, infrastructureEnv, refusal, startService, type ServiceProcess } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ROUTING_CONFIG_BYTES } from "../../src/domain/limits";
import { connectAcd, type Acd } from "../support/acd-client";
import { newSite, team } from "../support/routing-fixture";

/** `teams` teams of `members` member ids of 20 characters: about teams × members × 22 bytes encoded. */
const bigTeams = (teams: number, members: number) =>
  Array.from({ length: teams }, (_, t) =>
    team(`t${t}`, {
      memberRepIds: Array.from(
        { length: members },
        (_, m) => `rep-${String(t).padStart(4, "0")}-${String(m).padStart(11, "0")}`,
      ),
    }),
  );

// Issue 11: a config just under 4 MiB was accepted, its answer exceeded 4 MiB, and presence's own acd
// client then failed Login with INTERNAL. Now both ends take and send at most MAX_GRPC_MESSAGE_BYTES,
// and a config's answer is bounded to half of that.
describe("the acd's message sizes", () => {
  let service: ServiceProcess;
  let acd: Acd;
  beforeAll(async () => {
    const { REDIS_URL, KAFKA_BROKERS } = infrastructureEnv();
    service = await startService("acd", { REDIS_URL, KAFKA_BROKERS });
    acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
  });
  afterAll(async () => {
    acd.close();
    await service.stop();
  });

  it("refuses a request larger than the message limit with RESOURCE_EXHAUSTED, and stores nothing", async () => {
    const siteId = newSite();
    await acd.putRoutingConfig({ siteId, config: { teams: [team("support")], problemTypes: [], version: 0 } });
    // The test client sets no send limit, so the 5 MiB request reaches the server, which refuses it.
    const huge = bigTeams(240, 1_000);
    const refused = await refusal(
      acd.putRoutingConfig({ siteId, config: { teams: huge, problemTypes: [], version: 0 } }),
    );
    expect(refused.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(refused.details).toMatch(/larger than max/);
    expect((await acd.getRoutingConfig({ siteId })).config?.teams.map((t) => t.id)).toEqual(["support"]);

    // A service's own client (the runtime's) refuses to send it at all, with the same limit.
    const client = createGrpcClient(AcdServiceClient, `127.0.0.1:${service.grpcPort}`, devClientTls("intake"));
    try {
      const own = await refusal(
        callUnary(client, "putRoutingConfig", { siteId, config: { teams: huge, problemTypes: [], version: 0 } }),
      );
      expect(own.code).toBe(status.RESOURCE_EXHAUSTED);
    } finally {
      client.close();
    }
  });

  it("refuses a config whose answer would not fit well inside one message, naming the config", async () => {
    const siteId = newSite();
    // About 3 MiB: below the message limit, above the config bound.
    const teams = bigTeams(140, 1_000);
    const refused = await refusal(acd.putRoutingConfig({ siteId, config: { teams, problemTypes: [], version: 0 } }));
    expect(refused.code).toBe(status.INVALID_ARGUMENT);
    expect(refused.details).toMatch(
      new RegExp(`^config: encodes to \\d+ bytes, more than ${MAX_ROUTING_CONFIG_BYTES}$`),
    );
    expect(MAX_ROUTING_CONFIG_BYTES).toBeLessThan(MAX_GRPC_MESSAGE_BYTES);

    // The largest configs accepted are read back whole by a service's client.
    const fits = bigTeams(80, 1_000);
    await acd.putRoutingConfig({ siteId, config: { teams: fits, problemTypes: [], version: 0 } });
    const client = createGrpcClient(AcdServiceClient, `127.0.0.1:${service.grpcPort}`, devClientTls("presence"));
    try {
      const read = await callUnary(client, "getRoutingConfig", { siteId });
      expect(read.config?.teams.length).toBe(80);
      expect(read.config?.teams[79]?.memberRepIds.length).toBe(1_000);
    } finally {
      client.close();
    }
  });
});
