import {
  DueIndexes,
  FunctionClient,
  removeTenantKeys,
  waitForOutboxRelayed,
  type FunctionArg,
  type RedisClient,
} from "@handoff/runtime";
import { CapacityTooHighError, RepConnectionLimitError, RepNotLoggedInError, RepUnknownError } from "../domain/errors";
import { DEFAULT_REP_CAPACITY, STATE_CODES, stateName, type RepSnapshot, type RepStateName } from "../domain/rep-state";
import { DEFAULT_SETTINGS, type PresenceSettings } from "../domain/settings";
import { keys, tenantPrefix } from "./keys";
import { presenceLibrary } from "./presence-library";
import * as codes from "./return-codes";

type Reply = (string | number | null)[];

/** The leader's kinds of work per site: drop silent connections, re-push dirty reps, relay the outbox. */
export type PresenceDueWork = "heartbeats" | "pushes" | "relay";

/** A change of a rep: a new event to relay, and a new version the acd must get. */
const CHANGED: Partial<Record<PresenceDueWork, number>> = { relay: 0, pushes: 0 };
/** What each function run through `run` makes due (heartbeat marks its own deadline). */
const MARKS: Record<string, Partial<Record<PresenceDueWork, number>>> = {
  login: { ...CHANGED, heartbeats: 0 },
  logout: CHANGED,
  setState: CHANGED,
  setCapacity: CHANGED,
  disconnect: CHANGED,
  offerExpired: CHANGED,
  heartbeat: {},
  markPushed: {},
  rebaseVersion: { pushes: 0 },
};

const list = (value: string | number | null | undefined) =>
  String(value ?? "")
    .split(",")
    .filter(Boolean);

/**
 * Presence's only door to Redis: one typed method per function of its Redis Functions library
 * (presence-library.ts), codes mapped to domain errors.
 */
export class PresenceStore {
  /** FCALLs the library, loading it on any node that lacks it. */
  readonly functions: FunctionClient;

  /** Sites this process already registered in `keys.sites`, so the set is written once per site. */
  private readonly knownSites = new Set<string>();

  /** The sites with work due, for the leader's sweeps and relay. */
  readonly due: DueIndexes<PresenceDueWork>;

  /** `maxConnectionsPerRep`: the most live connections one rep may hold (MAX_CONNECTIONS_PER_REP). */
  constructor(
    readonly redis: RedisClient,
    private readonly maxConnectionsPerRep: number,
  ) {
    this.functions = new FunctionClient(redis, presenceLibrary());
    this.due = new DueIndexes(redis, keys.due, ["heartbeats", "pushes", "relay"]);
  }

  /** Loads the library on every node (at start; calls also load it where it is missing). */
  load(): Promise<void> {
    return this.functions.load();
  }

  private async registerSite(site: string): Promise<void> {
    if (this.knownSites.has(site)) return;
    await this.redis.sadd(keys.sites, site);
    this.knownSites.add(site);
  }

  private async run(name: string, site: string, repId: string, args: readonly FunctionArg[]): Promise<Reply> {
    const reply = (await this.functions.call(name, [tenantPrefix(site)], [repId, ...args])) as Reply;
    if (reply[0] === codes.NOT_LOGGED_IN) throw new RepNotLoggedInError(repId);
    if (reply[0] === codes.UNKNOWN_REP) throw new RepUnknownError(repId);
    if (reply[0] === codes.TOO_MANY_CONNECTIONS) throw new RepConnectionLimitError(repId, this.maxConnectionsPerRep);
    await this.due.mark(site, MARKS[name] ?? {});
    return reply;
  }

  private snapshot(repId: string, reply: Reply): RepSnapshot & { extra: number } {
    return {
      repId,
      state: stateName(String(reply[1])),
      reasonCode: String(reply[2] ?? ""),
      teamIds: list(reply[3]),
      capacity: Number(reply[4]),
      skills: list(reply[5]),
      version: Number(reply[6]),
      liveConnections: Number(reply[7]),
      stateSinceMs: Number(reply[8]),
      changedBy: String(reply[9]),
      extra: Number(reply[10] ?? 0),
    };
  }

  async login(site: string, repId: string, teamIds: readonly string[], connectionId: string, ttlMs: number) {
    await this.registerSite(site);
    return this.snapshot(
      repId,
      await this.run("login", site, repId, [teamIds.join(","), connectionId, ttlMs, this.maxConnectionsPerRep]),
    );
  }

  async logout(site: string, repId: string, actor: string, actorId: string) {
    return this.snapshot(repId, await this.run("logout", site, repId, [actor, actorId]));
  }

  /** `changed` is false when he already was in that state with that reason. */
  async setState(site: string, repId: string, state: RepStateName, reason: string, actor: string, actorId: string) {
    const snap = this.snapshot(
      repId,
      await this.run("setState", site, repId, [STATE_CODES[state], reason, actor, actorId]),
    );
    return { ...snap, changed: snap.extra === 1 };
  }

  async setCapacity(site: string, repId: string, capacity: number, skills: readonly string[], maximum: number) {
    await this.registerSite(site);
    const reply = await this.run("setCapacity", site, repId, [capacity, skills.join(","), maximum]);
    if (reply[0] === codes.CAPACITY_TOO_HIGH) throw new CapacityTooHighError(capacity, maximum);
    return this.snapshot(repId, reply);
  }

  /**
   * Returns the snapshot with `extra` = the connection's new deadline (ms since epoch), and whether it
   * made him connected (his first live connection), which the acd must learn. Only a deadline the
   * site's due index does not cover yet is marked (heartbeat.lua), so a heartbeat that refreshes a
   * connection is one Redis call.
   */
  async heartbeat(site: string, repId: string, connectionId: string, ttlMs: number) {
    const reply = await this.run("heartbeat", site, repId, [connectionId, ttlMs, this.maxConnectionsPerRep]);
    const rep = { ...this.snapshot(repId, reply), connectedNow: reply[11] === 1 };
    const due: Partial<Record<PresenceDueWork, number>> = {};
    if (reply[12] === 1) due.heartbeats = rep.extra;
    if (rep.connectedNow) due.pushes = 0;
    await this.due.mark(site, due);
    return rep;
  }

  async disconnect(site: string, repId: string, connectionId: string) {
    return this.snapshot(repId, await this.run("disconnect", site, repId, [connectionId]));
  }

  async offerExpired(site: string, repId: string, keepState: boolean) {
    return this.snapshot(repId, await this.run("offerExpired", site, repId, [keepState ? "1" : "0"]));
  }

  /** Drops expired connections; returns how many, ms to the next deadline (-1: none), and reps now offline. */
  async expireConnections(
    site: string,
    limit: number,
  ): Promise<{ dropped: number; nextInMs: number; offline: string[] }> {
    const reply = (await this.functions.call("expireConnections", [tenantPrefix(site)], [limit])) as Reply;
    const dropped = Number(reply[0]);
    if (dropped > 0) await this.due.mark(site, CHANGED);
    return { dropped, nextInMs: Number(reply[1]), offline: reply.slice(2).map(String) };
  }

  async markPushed(site: string, repId: string, version: number): Promise<void> {
    await this.run("markPushed", site, repId, [version]);
  }

  /** The acd refused a version too far above the one it holds: count on from just above it. */
  async rebaseVersion(site: string, repId: string, heldVersion: number): Promise<void> {
    await this.run("rebaseVersion", site, repId, [heldVersion]);
  }

  /** Ms until the site's oldest dirty rep is `olderThanMs` overdue (0 if he is), undefined when none is dirty. */
  async nextOverdueInMs(site: string, olderThanMs: number): Promise<number | undefined> {
    const [, since] = await this.redis.zrange(keys.dirty(site), 0, 0, "WITHSCORES");
    return since === undefined ? undefined : Math.max(0, Number(since) + olderThanMs - Date.now());
  }

  /**
   * Forgets a retired site: once its outbox is relayed (within `relayWaitMs`, else false and nothing
   * removed yet), every key of it goes and the leaders stop visiting it. Returns the keys removed.
   */
  async retireSite(site: string, relayWaitMs: number): Promise<number | false> {
    await this.redis.srem(keys.sites, site);
    this.knownSites.delete(site);
    if (!(await waitForOutboxRelayed(this.redis, keys.outbox(site), keys.relayCursor(site), relayWaitMs))) return false;
    await this.due.remove(site);
    return removeTenantKeys(this.redis, tenantPrefix(site));
  }

  /** At a replica's start and for a new leader: every site is visited once (runtime `DueIndexes.markAll`). */
  markEverySite(): Promise<void> {
    return this.due.markAll(keys.sites);
  }

  /** Reps whose latest version may not have reached the acd for at least `olderThanMs`. */
  async dirtyReps(site: string, olderThanMs: number, limit: number): Promise<string[]> {
    return this.redis.zrangebyscore(keys.dirty(site), "-inf", Date.now() - olderThanMs, "LIMIT", 0, limit);
  }

  async rep(site: string, repId: string): Promise<RepSnapshot | undefined> {
    const [fields, live] = await Promise.all([
      this.redis.hgetall(keys.rep(site, repId)),
      this.redis.hlen(keys.conns(site, repId)),
    ]);
    if (!fields.st) return undefined;
    return {
      repId,
      state: stateName(fields.st),
      reasonCode: fields.rc ?? "",
      teamIds: list(fields.teams),
      capacity: Number(fields.cap ?? DEFAULT_REP_CAPACITY),
      skills: list(fields.sk),
      version: Number(fields.ver ?? 0),
      liveConnections: live,
      stateSinceMs: Number(fields.since ?? 0),
      changedBy: fields.by ?? "ACTOR_SYSTEM",
    };
  }

  async teamReps(site: string, teamId: string): Promise<RepSnapshot[]> {
    const ids = await this.redis.smembers(keys.team(site, teamId));
    const reps = await Promise.all(ids.sort().map((id) => this.rep(site, id)));
    return reps.filter((r): r is RepSnapshot => r !== undefined);
  }

  async settings(site: string): Promise<PresenceSettings> {
    const [max, keep] = await this.redis.hmget(keys.settings(site), "maxcap", "keepnr");
    return {
      maxCapacity: max ? Number(max) : DEFAULT_SETTINGS.maxCapacity,
      keepStateOnNotResponding: keep ? keep === "1" : DEFAULT_SETTINGS.keepStateOnNotResponding,
    };
  }

  async putSettings(site: string, settings: PresenceSettings): Promise<void> {
    await this.redis.hset(
      keys.settings(site),
      "maxcap",
      settings.maxCapacity,
      "keepnr",
      settings.keepStateOnNotResponding ? "1" : "0",
    );
    await this.registerSite(site);
  }
}
