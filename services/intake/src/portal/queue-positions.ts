import { callUnary, createGrpcClient, type GrpcTls } from "@handoff/runtime";
import { AcdServiceClient, type GetQueuePositionResponse } from "@handoff/proto/acd_service";

/**
 * A waiting session's place and estimate, read from the acd itself (GetQueuePosition): a customer's
 * stream already knows his session from the broker's feed, so a refresh needs only this one read.
 */
export class QueuePositions {
  private readonly client: AcdServiceClient;

  constructor(acdAddress: string, tls: GrpcTls) {
    this.client = createGrpcClient(AcdServiceClient, acdAddress, tls);
  }

  /** The estimate goes to the customer when it changed: the acd records it (at most once per 30 s). */
  read(siteId: string, sessionId: string): Promise<GetQueuePositionResponse> {
    return callUnary(this.client, "getQueuePosition", { siteId, sessionId, recordEstimate: true });
  }

  close(): void {
    this.client.close();
  }
}
