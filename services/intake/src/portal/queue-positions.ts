import { callUnary, createGrpcClient, type GrpcTls } from "@handoff/runtime";
import { AcdServiceClient, type GetQueuePositionResponse } from "@handoff/proto/acd_service";
import DataLoader from "dataloader";

/** The acd's bound on one BatchGetQueuePositions call (services/acd/src/domain/limits.ts). */
export const POSITION_BATCH_SIZE = 500;

interface PositionKey {
  siteId: string;
  sessionId: string;
}

/** The acd holds nothing for the session any more (it ended or was never queued). */
export class PositionUnknownError extends Error {
  constructor(sessionId: string) {
    super(`the acd holds no position for session ${sessionId}`);
    this.name = "PositionUnknownError";
  }
}

/**
 * A waiting session's place and estimate, read from the acd itself: a customer's stream already
 * knows his session from the broker's feed, so a refresh needs only this read. Reads asked for in the
 * same tick go to the acd together (DataLoader), one BatchGetQueuePositions call per site and batch:
 * a serve moves every customer behind the head, and one call each would cost a round trip each.
 */
export class QueuePositions {
  private readonly client: AcdServiceClient;
  private readonly loader = new DataLoader<PositionKey, GetQueuePositionResponse, PositionKey>(
    (keys) => this.readBatch(keys),
    // No cache: every read must see the queue as it is now.
    { cache: false, maxBatchSize: POSITION_BATCH_SIZE },
  );

  constructor(acdAddress: string, tls: GrpcTls) {
    this.client = createGrpcClient(AcdServiceClient, acdAddress, tls);
  }

  /** The estimate goes to the customer when it changed: the acd records it (at most once per 30 s). */
  read(siteId: string, sessionId: string): Promise<GetQueuePositionResponse> {
    return this.loader.load({ siteId, sessionId });
  }

  private async readBatch(keys: readonly PositionKey[]): Promise<(GetQueuePositionResponse | Error)[]> {
    // A stream asks once at a time, but two replicas' streams of one session may both ask.
    const bySite = new Map<string, Set<string>>();
    for (const { siteId, sessionId } of keys) bySite.set(siteId, (bySite.get(siteId) ?? new Set()).add(sessionId));
    const answers = new Map<string, GetQueuePositionResponse | Error>();
    await Promise.all(
      [...bySite].map(async ([siteId, sessions]) => {
        const sessionIds = [...sessions];
        try {
          const { positions } = await callUnary(this.client, "batchGetQueuePositions", {
            siteId,
            sessionIds,
            recordEstimate: true,
          });
          for (const { sessionId, known, position, state } of positions)
            answers.set(`${siteId}\n${sessionId}`, known ? { position, state } : new PositionUnknownError(sessionId));
        } catch (error) {
          for (const sessionId of sessionIds) answers.set(`${siteId}\n${sessionId}`, error as Error);
        }
      }),
    );
    return keys.map((key) => answers.get(`${key.siteId}\n${key.sessionId}`) ?? new PositionUnknownError(key.sessionId));
  }

  /**
   * One session's place read alone, recording nothing: keep my place's callback check (the customer is
   * away, so no estimate is shown to him).
   */
  peek(siteId: string, sessionId: string): Promise<GetQueuePositionResponse> {
    return callUnary(this.client, "getQueuePosition", { siteId, sessionId, recordEstimate: false });
  }

  close(): void {
    this.client.close();
  }
}
