import { status } from "@grpc/grpc-js";
import { errorInfo } from "@handoff/runtime";
import {
  eventually,
  infrastructureEnv,
  loadInfrastructureHarness,
  refusal,
  startService,
  type InfrastructureHarness,
  type ServiceProcess,
} from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAcd, type Acd } from "../support/acd-client";
import { newSite, team } from "../support/routing-fixture";

type Infrastructure = Awaited<ReturnType<InfrastructureHarness["startInfrastructure"]>>;

/**
 * Redis stopped under a running acd: its callers must hear "unavailable, ask again" (UNAVAILABLE with
 * ErrorInfo DEPENDENCY_UNAVAILABLE naming redis), which clients retry, not INTERNAL, which says a bug.
 * Once Redis is back (empty: the test Redis keeps no data) the acd serves again on the same connection.
 */
describe("the acd while Redis is down", () => {
  let infra: Infrastructure;
  let service: ServiceProcess;
  let acd: Acd;
  beforeAll(async () => {
    const harness = await loadInfrastructureHarness();
    // A Redis of its own (the test stops it); Kafka is the shared test server.
    infra = await harness.startInfrastructure({ redis: true, kafka: false, postgres: false, env: {} });
    const { KAFKA_BROKERS } = infrastructureEnv();
    service = await startService("acd", { REDIS_URL: infra.env.REDIS_URL!, KAFKA_BROKERS });
    acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
  }, 120_000);
  afterAll(async () => {
    acd?.close();
    await service?.stop();
    await infra?.stop();
  });

  const putConfig = (siteId: string) =>
    acd.putRoutingConfig({ siteId, config: { teams: [team("support")], problemTypes: [], version: 0 } });
  const teamsOf = async (siteId: string) => (await acd.getRoutingConfig({ siteId })).config?.teams.map((t) => t.id);

  it("answers UNAVAILABLE naming redis while Redis is stopped, and serves again once it is back", async () => {
    const before = newSite();
    await putConfig(before);
    expect(await teamsOf(before)).toEqual(["support"]);

    await infra.restart("REDIS_URL", "SIGTERM", undefined, async () => {
      const site = newSite();
      // A write and a read, each asked only when the one before was answered.
      for (const call of [() => putConfig(site), () => acd.getRoutingConfig({ siteId: site })]) {
        const refused = await refusal(call());
        expect(refused.code).toBe(status.UNAVAILABLE);
        expect(refused.details).toBe("redis is unavailable; retry in 2 s");
        expect(errorInfo(refused)).toEqual({
          reason: "DEPENDENCY_UNAVAILABLE",
          domain: "handoff.runtime",
          metadata: { dependency: "redis", retry_after_s: "2" },
        });
      }
    });

    // Back, and empty: the acd reconnects and loads its functions again for a new write.
    const after = newSite();
    await eventually(
      async () => {
        await putConfig(after);
        return true;
      },
      30_000,
      "the acd writes to Redis again",
    );
    expect(await teamsOf(after)).toEqual(["support"]);
    expect(service.child.exitCode).toBeNull();
  }, 120_000);
});
