import { status, type ServiceError } from "@grpc/grpc-js";
import { callUnary, createGrpcClient } from "@handoff/runtime";
import {
  AcdServiceClient,
  type GetRepRoutingResponse,
  type RoutingConfig,
  type SetRepCapacityRequest,
  type SetRepCapacityResponse,
} from "@handoff/proto/acd_service";

/** What presence asks of the acd. */
export interface AcdPort {
  setRepCapacity(request: SetRepCapacityRequest): Promise<SetRepCapacityResponse>;
  repRouting(siteId: string, repId: string): Promise<GetRepRoutingResponse>;
  routingConfig(siteId: string): Promise<RoutingConfig | undefined>;
  close(): void;
}

export function connectAcd(address: string): AcdPort {
  const client = createGrpcClient(AcdServiceClient, address);
  return {
    setRepCapacity: (request) => callUnary(client, "setRepCapacity", request),
    repRouting: (siteId, repId) => callUnary(client, "getRepRouting", { siteId, repId }),
    routingConfig: async (siteId) => {
      try {
        return (await callUnary(client, "getRoutingConfig", { siteId })).config;
      } catch (error) {
        // The acd answers INVALID_ARGUMENT for a site it has no config for.
        if ((error as ServiceError).code === status.INVALID_ARGUMENT) return undefined;
        throw error;
      }
    },
    close: () => client.close(),
  };
}
