import type { ServiceError } from "@grpc/grpc-js";
import type { ProblemType, Team } from "@handoff/proto/acd_service";
import { infrastructureEnv, startService, type ServiceProcess } from "@handoff/testing";
import { afterAll, beforeAll } from "vitest";
import { connectAcd, type Acd } from "./acd-client";
import { newSite, team } from "./routing-fixture";

/** The routing tests run against both a single Redis and a 3-master Redis Cluster. */
export const redisBackends = [
  ["a single Redis", () => ({ REDIS_URL: infrastructureEnv().REDIS_URL })],
  ["a 3-master Redis Cluster", () => ({ REDIS_CLUSTER_NODES: infrastructureEnv().REDIS_CLUSTER_NODES })],
] as const;

export async function grpcError(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("expected the call to fail");
}

/** Runs a real acd for the enclosing describe block; `acd` is ready inside its tests. */
export function runAcd(redisEnv: () => Record<string, string>) {
  let service: ServiceProcess;
  const running = {
    acd: undefined as unknown as Acd,
    /** The acd's gRPC address, for clients of other identities. */
    address: () => `127.0.0.1:${service.grpcPort}`,
    /** A fresh site with this routing config. */
    siteWith: async (teams: Team[] = [team("support")], problemTypes: ProblemType[] = []): Promise<string> => {
      const siteId = newSite();
      await running.acd.putRoutingConfig({ siteId, config: { teams, problemTypes, version: 0 } });
      return siteId;
    },
  };
  beforeAll(async () => {
    service = await startService("acd", { ...redisEnv(), KAFKA_BROKERS: infrastructureEnv().KAFKA_BROKERS });
    running.acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
  });
  afterAll(async () => {
    running.acd.close();
    await service.stop();
  });
  return running;
}
