import { status, type ServiceError } from "@grpc/grpc-js";
import { callUnary, createGrpcClient, type GrpcTls } from "@handoff/runtime";
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

/**
 * Logins check team membership against the routing config; configs change rarely and can be large
 * (member lists), so each site's is reused this long instead of fetched per login.
 */
const CONFIG_TTL_MS = 2_000;

const UNKNOWN_TO_ROUTING: GetRepRoutingResponse = {
  known: false,
  routableCapacity: 0,
  load: 0,
  active: 0,
  connected: false,
  notResponding: false,
  teamIds: [],
  version: 0,
};

export function connectAcd(address: string, tls: GrpcTls): AcdPort {
  const client = createGrpcClient(AcdServiceClient, address, tls);
  const configs = new Map<string, { fetchedAt: number; config: Promise<RoutingConfig | undefined> }>();
  const fetchConfig = async (siteId: string): Promise<RoutingConfig | undefined> => {
    try {
      return (await callUnary(client, "getRoutingConfig", { siteId })).config;
    } catch (error) {
      // The acd answers INVALID_ARGUMENT for a site it has no config for.
      if ((error as ServiceError).code === status.INVALID_ARGUMENT) return undefined;
      throw error;
    }
  };
  return {
    setRepCapacity: (request) => callUnary(client, "setRepCapacity", request),
    repRouting: (siteId, repId) =>
      callUnary(client, "getRepRouting", { siteId, repId }).catch((error: unknown) => {
        // A site the acd has no config for holds nothing for the rep: he has no load there.
        if ((error as ServiceError).code === status.INVALID_ARGUMENT) return UNKNOWN_TO_ROUTING;
        throw error;
      }),
    routingConfig: (siteId) => {
      const cached = configs.get(siteId);
      if (cached && Date.now() - cached.fetchedAt < CONFIG_TTL_MS) return cached.config;
      const config = fetchConfig(siteId);
      configs.set(siteId, { fetchedAt: Date.now(), config });
      // A site without config yet, or a failed fetch, is asked again next time.
      config.then(
        (found) => found || configs.delete(siteId),
        () => configs.delete(siteId),
      );
      return config;
    },
    close: () => client.close(),
  };
}
