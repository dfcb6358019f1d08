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
    setRepCapacity: (request) => callUnary(client, client.setRepCapacity, request),
    repRouting: (siteId, repId) => callUnary(client, client.getRepRouting, { siteId, repId }),
    routingConfig: async (siteId) => (await callUnary(client, client.getRoutingConfig, { siteId })).config,
    close: () => client.close(),
  };
}
