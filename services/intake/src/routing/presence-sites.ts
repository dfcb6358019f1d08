import { status, type ServiceError } from "@grpc/grpc-js";
import { callUnary, createGrpcClient, errorReason, type GrpcTls } from "@handoff/runtime";
import { PresenceServiceClient } from "@handoff/proto/presence_service";
import { PresenceUnavailableError, SiteRetirementPendingError } from "./retirement-errors";

/**
 * Presence waits up to 10 s for the site's outbox to be relayed before it answers: the deadline leaves
 * room for that wait.
 */
const FORGET_DEADLINE_MS = 15_000;

const isServiceError = (error: unknown): error is ServiceError =>
  typeof error === "object" && error !== null && "code" in error && "metadata" in error;

/** The site administration's calls to presence (the portal's are the rep directory's). */
export class PresenceSites {
  private readonly client: PresenceServiceClient;

  constructor(address: string, tls: GrpcTls) {
    this.client = createGrpcClient(PresenceServiceClient, address, tls);
  }

  /**
   * Presence forgets a retired site: its reps, connections and every key. Returns the keys removed.
   * @throws SiteRetirementPendingError, PresenceUnavailableError
   */
  async forget(siteId: string): Promise<number> {
    try {
      return (await callUnary(this.client, "forgetSite", { siteId }, FORGET_DEADLINE_MS)).removedKeys;
    } catch (error) {
      if (errorReason(error) === "SITE_RETIREMENT_PENDING") throw new SiteRetirementPendingError(siteId, "presence");
      if (
        isServiceError(error) &&
        [status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.CANCELLED].includes(error.code)
      )
        throw new PresenceUnavailableError({ cause: error });
      throw error;
    }
  }

  close(): void {
    this.client.close();
  }
}
