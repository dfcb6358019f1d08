import { status, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";
import { callUnary, createGrpcClient, errorReason, type GrpcTls } from "@handoff/runtime";
import {
  AcdServiceClient,
  type BatchGetSessionRoutingResponse,
  type EnqueueSessionResponse,
  type GetRepRoutingResponse,
  type GetTeamAvailabilityResponse,
  type HeldSession,
  type Offer,
  type RebuildQueuesResponse,
  type RequeueSessionResponse,
  type RoutingConfig,
  type SubscribeOffersResponse,
  type TransferSessionResponse,
  type WaitingSession,
} from "@handoff/proto/acd_service";
import type { AbandonReason, QueuePosition } from "@handoff/proto/common";
import {
  InvalidFieldError,
  OfferRefusedError,
  QueueFullError,
  RoutingUnavailableError,
  SiteNotRoutedError,
} from "../domain/errors";
import type { QueueTargetValue } from "../domain/queue-target";

export const targetToProto = (target: QueueTargetValue | undefined) =>
  target
    ? {
        target:
          target.kind === "team"
            ? { $case: "teamId" as const, teamId: target.id }
            : { $case: "repId" as const, repId: target.id },
      }
    : undefined;

/** Configs change rarely and can be large (member lists): each site's is reused this long. */
const CONFIG_TTL_MS = 2_000;

const isServiceError = (error: unknown): error is ServiceError =>
  typeof error === "object" && error !== null && "code" in error && "metadata" in error;

/**
 * Translates the acd's failures into the broker's terms: no answer is RoutingUnavailableError (the
 * session is safe in PostgreSQL; the reconciler finishes the job), a refused offer operation is
 * OfferRefusedError with the acd's reason, a bad field stays INVALID_ARGUMENT naming it (a site without
 * a routing config is SiteNotRoutedError), a full queue is QueueFullError.
 */
function translate(error: unknown, sessionId: string, fields: Record<string, string> = {}): never {
  if (!isServiceError(error)) throw error;
  switch (error.code) {
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
    case status.CANCELLED:
      throw new RoutingUnavailableError("the acd did not answer", { cause: error });
    case status.INVALID_ARGUMENT: {
      const field = String(error.metadata.get("field")[0] ?? "");
      // The acd's details already start with "<its field>: "; the broker names its own field.
      const problem = error.details.startsWith(`${field}: `) ? error.details.slice(field.length + 2) : error.details;
      if (errorReason(error) === "UNKNOWN_SITE") throw new SiteNotRoutedError(fields[field] ?? field, problem);
      throw new InvalidFieldError(fields[field] ?? field, problem);
    }
    case status.FAILED_PRECONDITION:
    case status.NOT_FOUND:
    case status.ALREADY_EXISTS:
      throw new OfferRefusedError(sessionId, errorReason(error), error.details);
    case status.RESOURCE_EXHAUSTED:
      if (errorReason(error) === "QUEUE_FULL") throw new QueueFullError(sessionId, error.details);
      throw error;
    default:
      throw error;
  }
}

export interface EnqueueInput {
  sessionId: string;
  target?: QueueTargetValue;
  problemTypeId: string;
  priority: number;
  requiredSkills: string[];
}

/** Everything the broker asks of the acd, over gRPC with deadlines. */
export class AcdPort {
  private readonly client: AcdServiceClient;
  private readonly configs = new Map<string, { fetchedAt: number; config: Promise<RoutingConfig | undefined> }>();

  constructor(address: string, tls: GrpcTls) {
    this.client = createGrpcClient(AcdServiceClient, address, tls);
  }

  close(): void {
    this.client.close();
  }

  async enqueue(siteId: string, input: EnqueueInput): Promise<EnqueueSessionResponse> {
    return callUnary(this.client, "enqueueSession", {
      siteId,
      sessionId: input.sessionId,
      target: targetToProto(input.target),
      problemTypeId: input.problemTypeId,
      priority: input.priority,
      requiredSkills: input.requiredSkills,
    }).catch((e: unknown) =>
      translate(e, input.sessionId, { "target.team_id": "target.team_id", "target.rep_id": "rep_id" }),
    );
  }

  async accept(siteId: string, sessionId: string, repId: string, epoch: number): Promise<void> {
    await callUnary(this.client, "acceptOffer", { siteId, sessionId, repId, epoch }).catch((e: unknown) =>
      translate(e, sessionId),
    );
  }

  async reject(siteId: string, sessionId: string, repId: string, epoch: number): Promise<void> {
    await callUnary(this.client, "rejectOffer", { siteId, sessionId, repId, epoch }).catch((e: unknown) =>
      translate(e, sessionId),
    );
  }

  /** `repId`: the rep the acd holds the session for; another one is refused (WRONG_REP). */
  async end(siteId: string, sessionId: string, repId: string, epoch: number): Promise<void> {
    await callUnary(this.client, "endSession", { siteId, sessionId, repId, epoch }).catch((e: unknown) =>
      translate(e, sessionId),
    );
  }

  async abandon(siteId: string, sessionId: string, reason: AbandonReason): Promise<void> {
    await callUnary(this.client, "abandonSession", { siteId, sessionId, reason }).catch((e: unknown) =>
      translate(e, sessionId),
    );
  }

  /** Keep my place: the acd skips (or again matches) the session; `version` fences the change. */
  async setAway(siteId: string, sessionId: string, away: boolean, version: number): Promise<void> {
    await callUnary(this.client, "setAwayFlag", { siteId, sessionId, away, version }).catch((e: unknown) =>
      translate(e, sessionId),
    );
  }

  /** Control of an active session passed: the acd counts it against `toRepId` (fenced by epoch and holder). */
  async handOver(siteId: string, sessionId: string, epoch: number, fromRepId: string, toRepId: string): Promise<void> {
    await callUnary(this.client, "handOverSession", { siteId, sessionId, epoch, fromRepId, toRepId }).catch(
      (e: unknown) => translate(e, sessionId, { to_rep_id: "to_rep_id" }),
    );
  }

  async transfer(
    siteId: string,
    sessionId: string,
    epoch: number,
    target: QueueTargetValue,
  ): Promise<TransferSessionResponse> {
    return callUnary(this.client, "transferSession", { siteId, sessionId, epoch, target: targetToProto(target) }).catch(
      (e: unknown) => translate(e, sessionId, { "target.team_id": "target.team_id", "target.rep_id": "target.rep_id" }),
    );
  }

  async requeue(
    siteId: string,
    sessionId: string,
    epoch: number,
    target: QueueTargetValue | undefined,
    reason: string,
  ): Promise<RequeueSessionResponse> {
    return callUnary(this.client, "requeueSession", {
      siteId,
      sessionId,
      epoch,
      target: targetToProto(target),
      reason,
    }).catch((e: unknown) => translate(e, sessionId));
  }

  async pull(siteId: string, repId: string): Promise<Offer | undefined> {
    const response = await callUnary(this.client, "pullNextSession", { siteId, repId }).catch((e: unknown) =>
      translate(e, ""),
    );
    return response.offer;
  }

  /** `shownToCustomer`: the acd records the estimate (at most once per session per interval). */
  async position(siteId: string, sessionId: string, shownToCustomer = false): Promise<QueuePosition | undefined> {
    const response = await callUnary(this.client, "getQueuePosition", {
      siteId,
      sessionId,
      recordEstimate: shownToCustomer,
    }).catch((e: unknown) => translate(e, sessionId));
    return response.position;
  }

  async teamAvailability(siteId: string, teamId: string): Promise<GetTeamAvailabilityResponse> {
    return callUnary(this.client, "getTeamAvailability", { siteId, teamId }).catch((e: unknown) =>
      translate(e, "", { team_id: "target.team_id" }),
    );
  }

  async repRouting(siteId: string, repId: string): Promise<GetRepRoutingResponse> {
    return callUnary(this.client, "getRepRouting", { siteId, repId }).catch((e: unknown) =>
      translate(e, "", { rep_id: "rep_id" }),
    );
  }

  async batchRouting(siteId: string, sessionIds: string[]): Promise<BatchGetSessionRoutingResponse> {
    return callUnary(this.client, "batchGetSessionRouting", { siteId, sessionIds }).catch((e: unknown) =>
      translate(e, ""),
    );
  }

  async rebuild(siteId: string, sessions: WaitingSession[], held: HeldSession[]): Promise<RebuildQueuesResponse> {
    return callUnary(this.client, "rebuildQueues", { siteId, sessions, held }, 30_000).catch((e: unknown) =>
      translate(e, ""),
    );
  }

  /**
   * Opens the acd's offer stream for `repIds` under `subscriberId` (a new stream with the same id
   * replaces the old one). Its first message is `subscribed`, then pending offers, then live ones.
   */
  subscribeOffers(
    siteId: string,
    subscriberId: string,
    repIds: string[],
  ): ClientReadableStream<SubscribeOffersResponse> {
    return this.client.subscribeOffers({ siteId, subscriberId, repIds });
  }

  /** The site's routing config (cached briefly), or undefined when the acd has none. */
  routingConfig(siteId: string): Promise<RoutingConfig | undefined> {
    const cached = this.configs.get(siteId);
    if (cached && Date.now() - cached.fetchedAt < CONFIG_TTL_MS) return cached.config;
    const config = callUnary(this.client, "getRoutingConfig", { siteId }).then(
      (response) => response.config,
      (error: unknown) => {
        if (isServiceError(error) && error.code === status.INVALID_ARGUMENT) return undefined;
        return translate(error, "");
      },
    );
    this.configs.set(siteId, { fetchedAt: Date.now(), config });
    config.then(
      (found) => found || this.configs.delete(siteId),
      () => this.configs.delete(siteId),
    );
    return config;
  }
}
