import {
  DueIndexes,
  FunctionClient,
  removeTenantKeys,
  waitForOutboxRelayed,
  type FunctionArg,
  type RedisClient,
} from "@handoff/runtime";
import {
  CapacityVersionStepError,
  OfferExpiredError,
  OfferFencedError,
  QueueFullError,
  ProblemTypeUnknownError,
  RoutingConfigInvalidError,
  RoutingConfigMissingError,
  SessionAlreadyQueuedError,
  SessionNotFoundError,
  SessionStateConflictError,
  SiteInUseError,
  SiteRetirementPendingError,
  RepUnknownError,
  TeamUnknownError,
  TransferToSelfError,
} from "../domain/errors";
import { MAX_CAPACITY_VERSION_STEP } from "../domain/limits";
import type { QueueTarget } from "../domain/queue-target";
import type { RoutingConfig } from "../domain/routing-config";
import { keys, tenantPrefix } from "./keys";
import * as codes from "./return-codes";
import { routingLibrary } from "./routing-library";
import { sessionStateName, type SessionStateName } from "./session-states";
import { toStoredConfig } from "./stored-config";
import type {
  QueueBounds,
  AcdDueWork,
  EnqueueInput,
  Placement,
  RepCapacityInput,
  PulledOffer,
  StoredDecision,
  PendingOffer,
  PendingOffers,
  HeldSessionInput,
  Requeued,
  AwayChange,
  SessionRoutingSummary,
  PositionFacts,
  SessionRouting,
  RepRouting,
  TeamAvailability,
} from "./routing-records";

type Reply = (string | number | null)[];

export function parseTarget(encoded: string): QueueTarget {
  return { kind: encoded.startsWith("t:") ? "team" : "rep", id: encoded.slice(2) };
}

/**
 * Writing functions after which the timer sweep need not look at the site: the sweep's own
 * (`fireTimers` settles the site's next deadline itself) and `acceptOffer`, which only removes a
 * deadline (a sweep at the removed deadline's time finds nothing due and settles on the next one), so
 * the accept of every cycle costs one due-index read less.
 */
const RELAY_ONLY: ReadonlySet<string> = new Set(["fireTimers", "acceptOffer"]);

const encodeTarget = (target: QueueTarget) => [target.kind === "team" ? "t" : "r", target.id] as const;

/**
 * The acd's only door to Redis: one typed method per function of its Redis Functions library
 * (routing-library.ts), return codes mapped to domain errors here.
 */
export class RoutingStore {
  /** FCALLs the library, loading it on any node that lacks it. */
  readonly functions: FunctionClient;
  /** The sites with work due, for the leader's timer sweeper and outbox relay. */
  readonly due: DueIndexes<AcdDueWork>;

  constructor(
    readonly redis: RedisClient,
    private readonly bounds: QueueBounds,
  ) {
    this.functions = new FunctionClient(redis, routingLibrary());
    this.due = new DueIndexes(redis, keys.due, ["timers", "relay"]);
  }

  /** Loads the library on every node (at start; calls also load it where it is missing). */
  load(): Promise<void> {
    return this.functions.load();
  }

  /**
   * Calls a function; after one that may have changed the site, marks it for the leader: its outbox
   * may have new entries and its earliest deadline may have moved (the timer sweep finds out which).
   * Functions of `RELAY_ONLY` mark only the relay.
   */
  private async run(name: string, site: string, args: readonly FunctionArg[]): Promise<Reply> {
    const reply = (await this.functions.call(name, [tenantPrefix(site)], args)) as Reply;
    if (reply[0] === codes.NO_CONFIG) throw new RoutingConfigMissingError(site);
    if (!this.functions.library.readOnly.has(name)) {
      await this.due.mark(site, RELAY_ONLY.has(name) ? { relay: 0 } : { timers: 0, relay: 0 });
    }
    return reply;
  }

  /** At a replica's start and for a new leader: every site with a config is visited once (runtime `DueIndexes.markAll`). */
  markEverySite(): Promise<void> {
    return this.due.markAll(keys.sites);
  }

  /**
   * Maps the failure codes shared by the fenced transitions (library/modules/fencing.lua); returns the
   * reply when it succeeded. `allowed`: the states the transition starts from.
   */
  private fenced(
    reply: Reply,
    sessionId: string,
    epoch: number,
    repId: string,
    transition: string,
    allowed: readonly SessionStateName[],
  ): Reply {
    switch (reply[0]) {
      case codes.SESSION_NOT_FOUND:
        throw new SessionNotFoundError(sessionId);
      case codes.STALE_EPOCH:
        throw new OfferFencedError(sessionId, epoch, repId, "stale_epoch", Number(reply[1]));
      case codes.WRONG_REP:
        throw new OfferFencedError(sessionId, epoch, repId, "wrong_rep");
      case codes.WRONG_STATE:
        throw new SessionStateConflictError(sessionId, sessionStateName(String(reply[1])), transition, allowed);
      default:
        return reply;
    }
  }

  async putConfig(site: string, config: RoutingConfig): Promise<number> {
    const reply = await this.run("putConfig", site, [JSON.stringify(toStoredConfig(config)), JSON.stringify(config)]);
    if (reply[0] === codes.TEAM_IN_USE) {
      throw new RoutingConfigInvalidError("config.teams", `team ${String(reply[1])} still has waiting sessions`);
    }
    await this.redis.sadd(keys.sites, site);
    return Number(reply[1]);
  }

  /**
   * Retires a site (issue 11 item 4): refused while it holds sessions in routing; otherwise its config
   * goes at once (every later write is NO_CONFIG), the leader relays what its outbox still holds, and
   * then every key of the site goes and the leaders forget it. Asked again after a refusal to wait
   * (`SiteRetirementPendingError`), it carries on where it stopped. Returns the keys removed.
   */
  async retireSite(site: string, relayWaitMs: number): Promise<number> {
    try {
      const reply = await this.run("retireSite", site, []);
      if (reply[0] === codes.SITE_IN_USE) throw new SiteInUseError(site, Number(reply[1]));
    } catch (error) {
      // Already retired, or retired before its outbox was relayed: carry on.
      if (!(error instanceof RoutingConfigMissingError)) throw error;
    }
    await this.redis.srem(keys.sites, site);
    if (!(await waitForOutboxRelayed(this.redis, keys.outbox(site), keys.relayCursor(site), relayWaitMs)))
      throw new SiteRetirementPendingError(site);
    await this.due.remove(site);
    return removeTenantKeys(this.redis, tenantPrefix(site));
  }

  async getConfig(site: string): Promise<{ config: RoutingConfig; version: number } | undefined> {
    const [json, version] = await this.redis.hmget(keys.config(site), "json", "version");
    return json ? { config: JSON.parse(json) as RoutingConfig, version: Number(version) } : undefined;
  }

  async enqueue(site: string, input: EnqueueInput): Promise<Placement> {
    const [kind, id] = input.target ? encodeTarget(input.target) : ["", ""];
    const reply = await this.run("enqueueSession", site, [
      input.sessionId,
      kind,
      id,
      input.problemTypeId,
      input.priority,
      input.requiredSkills.join(","),
      input.enqueuedAtMs ?? 0,
      input.rebuilt ? "1" : "0",
      input.epoch ?? 0,
      this.bounds.maxWaitingPerTeam,
      this.bounds.maxSessionsPerSite,
    ]);
    switch (reply[0]) {
      case codes.QUEUE_FULL:
        throw reply[1] === "team"
          ? new QueueFullError("team", String(reply[3]), Number(reply[2]))
          : new QueueFullError("site", site, Number(reply[2]));
      case codes.SESSION_EXISTS:
        throw new SessionAlreadyQueuedError(input.sessionId, sessionStateName(String(reply[1])));
      case codes.UNKNOWN_TEAM:
        throw new TeamUnknownError(id);
      case codes.UNKNOWN_PROBLEM_TYPE:
        throw new ProblemTypeUnknownError(input.problemTypeId);
      case codes.UNKNOWN_REP:
        throw new RepUnknownError(id);
    }
    const offeredRepId = String(reply[1]);
    return {
      offeredRepId: offeredRepId || undefined,
      position: Number(reply[2]),
      queueLength: Number(reply[3]),
      epoch: Number(reply[4]),
      expiresAtMs: Number(reply[5] ?? 0),
      existing: reply[6] === 1,
    };
  }

  /**
   * Idempotent for the same rep and epoch: `alreadyAccepted` when this accept had been applied before.
   * Refuses an offer past its deadline even before the expiry timer fired.
   */
  async accept(site: string, sessionId: string, repId: string, epoch: number): Promise<{ alreadyAccepted: boolean }> {
    const reply = this.fenced(
      await this.run("acceptOffer", site, [sessionId, repId, epoch]),
      sessionId,
      epoch,
      repId,
      "be accepted",
      ["offered"],
    );
    if (reply[0] === codes.OFFER_EXPIRED) throw new OfferExpiredError(sessionId, epoch, Number(reply[1]));
    return { alreadyAccepted: reply[1] === 1 };
  }

  /** Returns the rep the session was offered to next, if any. */
  async reject(site: string, sessionId: string, repId: string, epoch: number): Promise<string | undefined> {
    const reply = this.fenced(
      await this.run("rejectOffer", site, [sessionId, repId, epoch]),
      sessionId,
      epoch,
      repId,
      "be rejected",
      ["offered"],
    );
    return String(reply[1]) || undefined;
  }

  /** Returns the handle time in ms; `repId` must be the rep the session is assigned to. */
  async end(site: string, sessionId: string, repId: string, epoch: number): Promise<number> {
    const reply = this.fenced(
      await this.run("endSession", site, [sessionId, epoch, repId]),
      sessionId,
      epoch,
      repId,
      "end",
      ["active"],
    );
    return Number(reply[1]);
  }

  /**
   * Control of an active session passed from `fromRepId` to `toRepId` (library/functions/
   * handOverSession.lua): it counts against `toRepId` from now on. Refused when `fromRepId` does not
   * hold it (WRONG_REP), unless `toRepId` already does (asked again).
   */
  async handOver(site: string, sessionId: string, epoch: number, fromRepId: string, toRepId: string): Promise<void> {
    this.fenced(
      await this.run("handOverSession", site, [sessionId, epoch, fromRepId, toRepId]),
      sessionId,
      epoch,
      fromRepId,
      "be handed over",
      ["active"],
    );
  }

  /** Returns how long the customer waited. */
  async abandon(site: string, sessionId: string, reason: string): Promise<number> {
    const reply = await this.run("abandonSession", site, [sessionId, reason]);
    if (reply[0] === codes.SESSION_NOT_FOUND) throw new SessionNotFoundError(sessionId);
    if (reply[0] === codes.WRONG_STATE) {
      throw new SessionStateConflictError(sessionId, sessionStateName(String(reply[1])), "be abandoned", [
        "waiting",
        "offered",
      ]);
    }
    return Number(reply[1]);
  }

  /**
   * The customer is away keeping his place, or back (library/functions/setCustomerAway.lua). `version` fences
   * the change: one not newer than the last applied is ignored (`applied` false, `away` the stored flag).
   */
  async setAway(site: string, sessionId: string, away: boolean, version: number): Promise<AwayChange> {
    const reply = await this.run("setCustomerAway", site, [sessionId, away ? "1" : "0", version]);
    if (reply[0] === codes.SESSION_NOT_FOUND) throw new SessionNotFoundError(sessionId);
    if (reply[0] === codes.WRONG_STATE) {
      const allowed: SessionStateName[] = away ? ["waiting", "offered"] : ["waiting", "offered", "active"];
      throw new SessionStateConflictError(
        sessionId,
        sessionStateName(String(reply[1])),
        away ? "go away" : "come back",
        allowed,
      );
    }
    return { applied: reply[1] === 1, away: reply[2] === 1, offeredRepId: String(reply[3]) || undefined };
  }

  async transfer(site: string, sessionId: string, epoch: number, target: QueueTarget): Promise<Placement> {
    const reply = this.fenced(
      await this.run("transferSession", site, [sessionId, epoch, ...encodeTarget(target)]),
      sessionId,
      epoch,
      "",
      "be transferred",
      ["active"],
    );
    if (reply[0] === codes.UNKNOWN_TEAM) throw new TeamUnknownError(target.id);
    if (reply[0] === codes.UNKNOWN_REP) throw new RepUnknownError(target.id);
    if (reply[0] === codes.TRANSFER_TO_SELF) throw new TransferToSelfError(sessionId, target.id);
    const offeredRepId = String(reply[1]);
    return {
      offeredRepId: offeredRepId || undefined,
      position: Number(reply[2]),
      queueLength: Number(reply[3]),
      epoch: epoch + 1,
      expiresAtMs: 0,
    };
  }

  /**
   * Puts an offered or active session back into a queue at its original place (library/
   * functions/requeueSession.lua); `target` undefined: the queue it was answered from.
   */
  async requeue(
    site: string,
    sessionId: string,
    epoch: number,
    target: QueueTarget | undefined,
    reason: string,
  ): Promise<Requeued> {
    const [kind, id] = target ? encodeTarget(target) : ["", ""];
    const reply = this.fenced(
      await this.run("requeueSession", site, [sessionId, epoch, kind, id, reason]),
      sessionId,
      epoch,
      "",
      "be requeued",
      ["offered", "active"],
    );
    if (reply[0] === codes.UNKNOWN_TEAM) throw new TeamUnknownError(id);
    if (reply[0] === codes.UNKNOWN_REP) throw new RepUnknownError(id);
    const offeredRepId = String(reply[1]);
    return {
      offeredRepId: offeredRepId || undefined,
      position: Number(reply[2]),
      queueLength: Number(reply[3]),
      epoch: Number(reply[4]),
    };
  }

  /** Restores a held session as its rep's active one; false when the acd already knew the session. */
  async restoreHeld(site: string, input: HeldSessionInput): Promise<boolean> {
    const reply = await this.run("restoreHeldSession", site, [
      input.sessionId,
      input.repId,
      input.epoch,
      ...encodeTarget(input.target),
      input.priority,
      input.enqueuedAtMs,
    ]);
    if (reply[0] === codes.UNKNOWN_TEAM) throw new TeamUnknownError(input.target.id);
    return reply[0] !== codes.SESSION_EXISTS;
  }

  /** The routing records of `sessionIds`, in order; the caller bounds their number. */
  async sessions(site: string, sessionIds: readonly string[]): Promise<SessionRoutingSummary[]> {
    const flat = await this.run("getSessions", site, sessionIds);
    return sessionIds.map((sessionId, i) => {
      const at = i * 5;
      if (flat[at] !== 1) return { sessionId, known: false, epoch: 0, repId: "" };
      return {
        sessionId,
        known: true,
        state: sessionStateName(String(flat[at + 1])),
        target: parseTarget(String(flat[at + 2])),
        epoch: Number(flat[at + 3]),
        repId: String(flat[at + 4]),
      };
    });
  }

  /**
   * Offers waiting for an answer from any of `repIds`, and the outbox id read in the same atomic step:
   * tailing the outbox after that id yields exactly the offers made later.
   */
  async pendingOffers(site: string, repIds: readonly string[]): Promise<PendingOffers> {
    const [outboxId, ...flat] = await this.run("getPendingOffers", site, repIds);
    const offers: PendingOffer[] = [];
    for (let i = 0; i + 5 < flat.length; i += 6) {
      const decision = String(flat[i + 5]);
      offers.push({
        sessionId: String(flat[i]),
        repId: String(flat[i + 1]),
        epoch: Number(flat[i + 2]),
        expiresAtMs: Number(flat[i + 3]),
        from: parseTarget(String(flat[i + 4])),
        decision: decision ? (JSON.parse(decision) as StoredDecision) : undefined,
      });
    }
    return { outboxId: String(outboxId), offers };
  }

  async pull(site: string, repId: string): Promise<PulledOffer | undefined> {
    const reply = await this.run("pullNextSession", site, [repId]);
    if (reply[0] === codes.UNKNOWN_REP) throw new RepUnknownError(repId);
    const sessionId = String(reply[1]);
    if (!sessionId) return undefined;
    return { sessionId, epoch: Number(reply[2]), expiresAtMs: Number(reply[3]), from: parseTarget(String(reply[4])) };
  }

  async setRepCapacity(
    site: string,
    input: RepCapacityInput,
  ): Promise<{ applied: boolean; storedVersion: number; withdrawn: number }> {
    const reply = await this.run("setRepCapacity", site, [
      input.repId,
      input.version,
      input.routableCapacity,
      input.teamIds.join(","),
      input.skills.join(","),
      input.connected ? "1" : "0",
      MAX_CAPACITY_VERSION_STEP,
    ]);
    if (reply[0] === codes.VERSION_STEP)
      throw new CapacityVersionStepError(input.repId, input.version, Number(reply[1]), MAX_CAPACITY_VERSION_STEP);
    return { applied: reply[0] === 1, storedVersion: Number(reply[1]), withdrawn: Number(reply[2]) };
  }

  /** Fires up to `limit` due deadlines; returns how many fired and ms until the next one (-1: none). */
  async fireTimers(site: string, limit: number): Promise<{ fired: number; nextInMs: number }> {
    const reply = await this.run("fireTimers", site, [limit]);
    return { fired: Number(reply[0]), nextInMs: Number(reply[1]) };
  }

  async positionFacts(site: string, sessionId: string): Promise<PositionFacts> {
    const reply = await this.run("getPosition", site, [sessionId]);
    if (reply[0] === codes.SESSION_NOT_FOUND) throw new SessionNotFoundError(sessionId);
    return {
      state: sessionStateName(String(reply[1])),
      position: Number(reply[2]),
      queueLength: Number(reply[3]),
      servingCapacity: Number(reply[4]),
      freeCapacity: Number(reply[5]),
      epoch: Number(reply[6]),
      handleTimesMs: reply.slice(7).map(Number),
    };
  }

  /** What the wait estimator needs for a customer who would join `target`'s queue now (read-only). */
  async newcomerFacts(site: string, target: QueueTarget): Promise<Omit<PositionFacts, "state" | "epoch">> {
    const reply = await this.run("estimateWait", site, [encodeTarget(target).join(":")]);
    if (reply[0] === codes.UNKNOWN_TEAM) throw new TeamUnknownError(target.id);
    const queueLength = Number(reply[1]);
    return {
      position: queueLength + 1,
      queueLength,
      servingCapacity: Number(reply[2]),
      freeCapacity: Number(reply[3]),
      handleTimesMs: reply.slice(4).map(Number),
    };
  }

  /** Records an estimate shown to a customer; false when one of this epoch was recorded within `intervalMs`. */
  async recordEstimate(
    site: string,
    sessionId: string,
    epoch: number,
    position: number,
    estimate: { p50Ms: number; p90Ms: number; known: boolean },
    intervalMs: number,
  ): Promise<boolean> {
    const reply = await this.run("recordEstimate", site, [
      sessionId,
      epoch,
      position,
      estimate.p50Ms,
      estimate.p90Ms,
      estimate.known ? "1" : "0",
      intervalMs,
    ]);
    return reply[0] === 1;
  }

  async session(site: string, sessionId: string): Promise<SessionRouting> {
    const reply = await this.run("getSession", site, [sessionId]);
    if (reply[0] === codes.SESSION_NOT_FOUND) throw new SessionNotFoundError(sessionId);
    return {
      state: sessionStateName(String(reply[1])),
      target: parseTarget(String(reply[2])),
      priority: Number(reply[3]),
      epoch: Number(reply[4]),
      repId: String(reply[5]),
      enqueuedAtMs: Number(reply[6]),
    };
  }

  async rep(site: string, repId: string): Promise<RepRouting> {
    const reply = await this.run("getRep", site, [repId]);
    return {
      known: reply[1] === 1,
      routableCapacity: Number(reply[2]),
      load: Number(reply[3]),
      active: Number(reply[4]),
      connected: reply[5] === 1,
      notResponding: reply[6] === 1,
      teamIds: String(reply[7]).split(",").filter(Boolean),
      version: Number(reply[8]),
    };
  }

  async teamAvailability(site: string, teamId: string): Promise<TeamAvailability> {
    const reply = await this.run("getTeamAvailability", site, [teamId]);
    if (reply[0] === codes.UNKNOWN_TEAM) throw new TeamUnknownError(teamId);
    return {
      loggedIn: Number(reply[1]),
      routable: Number(reply[2]),
      withFreeCapacity: Number(reply[3]),
      waiting: Number(reply[4]),
    };
  }
}
