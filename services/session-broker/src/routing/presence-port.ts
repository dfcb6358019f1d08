import { status, type ServiceError } from "@grpc/grpc-js";
import { callUnary, createGrpcClient } from "@handoff/runtime";
import { PresenceServiceClient } from "@handoff/proto/presence_service";

const isServiceError = (error: unknown): error is ServiceError =>
  typeof error === "object" && error !== null && "code" in error && "metadata" in error;

/** What the broker asks of presence: whether a rep has a live desktop connection. */
export class PresencePort {
  private readonly client: PresenceServiceClient;

  constructor(address: string) {
    this.client = createGrpcClient(PresenceServiceClient, address);
  }

  close(): void {
    this.client.close();
  }

  /**
   * The rep's live connections now: 0 for a rep presence does not know (never logged in, or its
   * Redis lost him and he has not logged in again); undefined when presence does not answer, so the
   * caller asks again later instead of guessing.
   */
  async liveConnections(siteId: string, repId: string): Promise<number | undefined> {
    try {
      const response = await callUnary(this.client, "getRep", { siteId, repId });
      return response.rep?.liveConnections ?? 0;
    } catch (error) {
      if (isServiceError(error) && (error.code === status.INVALID_ARGUMENT || error.code === status.NOT_FOUND))
        return 0;
      if (isServiceError(error)) return undefined;
      throw error;
    }
  }
}
