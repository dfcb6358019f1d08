import { status, type ServiceError } from "@grpc/grpc-js";
import type { SubscribeOffersResponse } from "@handoff/proto/acd_service";
import { connectAcd, infrastructureEnv, newSiteId, startService } from "@handoff/testing";
import { describe, expect, it } from "vitest";
import { team } from "../support/routing-fixture";

/** The drain bound is half of it: a drain that waited for the open stream would take 15 s. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

describe("the acd's drain on SIGTERM", () => {
  it("ends an open offer stream with UNAVAILABLE (its broker subscribes elsewhere) and exits without waiting out its bound", async () => {
    const { REDIS_URL, KAFKA_BROKERS } = infrastructureEnv();
    const service = await startService("acd", {
      REDIS_URL,
      KAFKA_BROKERS,
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    const acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
    try {
      const siteId = newSiteId();
      await acd.putRoutingConfig({ siteId, config: { teams: [team("support")], problemTypes: [], version: 0 } });
      const stream = acd.raw.subscribeOffers({ siteId, subscriberId: "broker-a", repIds: ["rep"] });
      const subscribed = new Promise<void>((resolve) =>
        stream.on("data", (message: SubscribeOffersResponse) => {
          if (message.event?.$case === "subscribed") resolve();
        }),
      );
      const ended = new Promise<ServiceError>((resolve) => stream.on("error", resolve));
      await subscribed;
      const exit = await service.stop("SIGTERM");
      expect(exit).toMatchObject({ code: 0, signal: null });
      // Before streams were ended, the drain waited for this one until its bound (15 s here).
      expect(exit.ms).toBeLessThan(5_000);
      expect((await ended).code).toBe(status.UNAVAILABLE);
    } finally {
      acd.close();
      if (service.child.exitCode === null && service.child.signalCode === null) await service.stop("SIGKILL");
    }
  });
});
