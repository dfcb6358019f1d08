import { callUnary, createGrpcClient, type GrpcTls } from "@handoff/runtime";
import { PresenceServiceClient } from "@handoff/proto/presence_service";

/** What the socket tells presence about one desktop connection (its id is the socket's). */
export interface ConnectionPresence {
  heartbeat(siteId: string, repId: string, connectionId: string): Promise<void>;
  disconnect(siteId: string, repId: string, connectionId: string): Promise<void>;
}

/** Presence's Heartbeat and Disconnect over gRPC, on a client of its own. */
export class GrpcConnectionPresence implements ConnectionPresence {
  private readonly client: PresenceServiceClient;

  constructor(address: string, tls: GrpcTls) {
    this.client = createGrpcClient(PresenceServiceClient, address, tls);
  }

  async heartbeat(siteId: string, repId: string, connectionId: string): Promise<void> {
    await callUnary(this.client, "heartbeat", { siteId, repId, connectionId });
  }

  async disconnect(siteId: string, repId: string, connectionId: string): Promise<void> {
    await callUnary(this.client, "disconnect", { siteId, repId, connectionId });
  }

  close(): void {
    this.client.close();
  }
}
