import { status, type ServiceError } from "@grpc/grpc-js";
import { callUnary, createGrpcClient, type GrpcTls } from "@handoff/runtime";
import { Actor, RepState } from "@handoff/proto/common";
import { PresenceServiceClient, type RepPresence } from "@handoff/proto/presence_service";
import { BrokerDomainError, InvalidFieldError } from "../domain/errors";

const isServiceError = (error: unknown): error is ServiceError =>
  typeof error === "object" && error !== null && "code" in error && "metadata" in error;

export type RepStateName = "available" | "away" | "busy" | "offline";

const STATE_TO_PROTO: Record<RepStateName, RepState> = {
  available: RepState.REP_STATE_AVAILABLE,
  away: RepState.REP_STATE_AWAY,
  busy: RepState.REP_STATE_BUSY,
  offline: RepState.REP_STATE_OFFLINE,
};

/** Presence refused a rep command (e.g. a state change of a rep who is not logged in). */
export class PresenceRefusedError extends BrokerDomainError {
  readonly reason = "PRESENCE_REFUSED";
}

/** Presence did not answer; nothing changed that the caller can rely on. */
export class PresenceUnavailableError extends BrokerDomainError {
  readonly reason = "PRESENCE_UNAVAILABLE";
}

/** Who asks presence for a change: the rep himself or a supervisor (his id). */
export interface PresenceActor {
  kind: "rep" | "supervisor";
  id: string;
}

const actorToProto = (actor: PresenceActor): Actor =>
  actor.kind === "supervisor" ? Actor.ACTOR_SUPERVISOR : Actor.ACTOR_REP;

/**
 * Presence's failures in the broker's terms: a refused field keeps its name (`fields` renames it for the
 * caller), a refused command is PresenceRefusedError, no answer PresenceUnavailableError.
 */
function translate(error: unknown, fields: Record<string, string> = {}): never {
  if (!isServiceError(error)) throw error;
  switch (error.code) {
    case status.INVALID_ARGUMENT: {
      const field = String(error.metadata.get("field")[0] ?? "");
      // The request named a rep presence does not know (never logged in): a refusal, not a bad field.
      if (field === "rep_id") throw new PresenceRefusedError(error.details, { cause: error });
      const problem = error.details.startsWith(`${field}: `) ? error.details.slice(field.length + 2) : error.details;
      throw new InvalidFieldError(fields[field] ?? field, problem);
    }
    case status.FAILED_PRECONDITION:
    case status.NOT_FOUND:
      throw new PresenceRefusedError(error.details, { cause: error });
    case status.UNAVAILABLE:
    case status.DEADLINE_EXCEEDED:
    case status.CANCELLED:
      throw new PresenceUnavailableError("presence did not answer", { cause: error });
    default:
      throw error;
  }
}

/** What the broker asks of presence: reps' connections, and the agent API's rep commands. */
export class PresencePort {
  private readonly client: PresenceServiceClient;

  constructor(address: string, tls: GrpcTls) {
    this.client = createGrpcClient(PresenceServiceClient, address, tls);
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

  /** The rep as presence holds him, or undefined for a rep it does not know. */
  async rep(siteId: string, repId: string): Promise<RepPresence | undefined> {
    try {
      return (await callUnary(this.client, "getRep", { siteId, repId })).rep;
    } catch (error) {
      if (isServiceError(error) && error.code === status.INVALID_ARGUMENT) return undefined;
      return translate(error);
    }
  }

  /** Logs the rep in to `teamIds` (replacing his teams), with `connectionId` as a live desktop connection. */
  async login(
    siteId: string,
    repId: string,
    teamIds: string[],
    connectionId: string,
  ): Promise<RepPresence | undefined> {
    const response = await callUnary(this.client, "login", { siteId, repId, teamIds, connectionId }).catch(
      (e: unknown) => translate(e, { team_ids: "teamIds", connection_id: "connectionId" }),
    );
    return response.rep;
  }

  async logout(siteId: string, repId: string, actor: PresenceActor): Promise<void> {
    await callUnary(this.client, "logout", { siteId, repId, actor: actorToProto(actor), actorId: actor.id }).catch(
      (e: unknown) => translate(e),
    );
  }

  async setState(
    siteId: string,
    repId: string,
    state: RepStateName,
    reasonCode: string,
    actor: PresenceActor,
  ): Promise<RepPresence | undefined> {
    const request = {
      siteId,
      repId,
      state: STATE_TO_PROTO[state],
      reasonCode,
      actor: actorToProto(actor),
      actorId: actor.id,
    };
    const response = await callUnary(this.client, "setState", request).catch((e: unknown) =>
      translate(e, { reason_code: "reason" }),
    );
    return response.rep;
  }

  /** Single-session mode is capacity 1; `skills` undefined keeps the rep's current skills. */
  async setCapacity(
    siteId: string,
    repId: string,
    capacity: number,
    skills: string[] | undefined,
  ): Promise<RepPresence | undefined> {
    const kept = skills ?? (await this.rep(siteId, repId))?.skills ?? [];
    const response = await callUnary(this.client, "setCapacity", { siteId, repId, capacity, skills: kept }).catch(
      (e: unknown) => translate(e, { capacity: "sessions" }),
    );
    return response.rep;
  }

  /** Keeps one desktop connection of the rep alive; returns presence's next deadline for it. */
  async heartbeat(siteId: string, repId: string, connectionId: string): Promise<number> {
    const response = await callUnary(this.client, "heartbeat", { siteId, repId, connectionId }).catch((e: unknown) =>
      translate(e, { connection_id: "connectionId" }),
    );
    return response.nextDeadlineMs;
  }
}
