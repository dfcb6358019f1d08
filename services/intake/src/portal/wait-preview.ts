import { callUnary, createGrpcClient, type GrpcTls } from "@handoff/runtime";
import { AcdServiceClient } from "@handoff/proto/acd_service";
import type { WaitEstimate } from "@handoff/proto/common";

/** Where a newcomer would wait: a rep's personal queue or a problem type's team. */
export type NewcomerQueue = { repId: string } | { problemTypeId: string };

/** The acd's estimate of the wait a customer would get if he queued now (EstimateWait). */
export class WaitPreview {
  private readonly client: AcdServiceClient;

  constructor(acdAddress: string, tls: GrpcTls) {
    this.client = createGrpcClient(AcdServiceClient, acdAddress, tls);
  }

  async estimate(siteId: string, queue: NewcomerQueue): Promise<WaitEstimate | undefined> {
    const answer = await callUnary(this.client, "estimateWait", {
      siteId,
      target: "repId" in queue ? { target: { $case: "repId", repId: queue.repId } } : undefined,
      problemTypeId: "problemTypeId" in queue ? queue.problemTypeId : "",
    });
    return answer.position?.estimate;
  }

  close(): void {
    this.client.close();
  }
}
