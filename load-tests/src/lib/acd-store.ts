import { FunctionClient, serviceFunctionLibrary, type RedisClient } from "@handoff/runtime";
import path from "node:path";

/*
 * The store-level benchmark measures the acd's Redis adapter itself (RoutingStore and its Lua
 * scripts), without gRPC in front. A service is not a package, so nothing exports it: it is loaded
 * from the service's build output at run time (`npm run bench:acd` builds first). A typed import of
 * ../../services/acd/dist would tie this project's build order to the acd's without a project
 * reference, so the few methods used are declared here; the acd's integration tests pin their shape.
 */

const acdDist = path.resolve(__dirname, "..", "..", "..", "services", "acd", "dist");

export type StoreStrategy = "longest_idle" | "least_busy" | "round_robin" | "manual";

/**
 * A routing config as an admin writes it (services/acd/src/domain/routing-config.ts
 * `RoutingConfigInput`); the acd's own validateRoutingConfig fills in the defaults before putConfig.
 */
export interface StoreRoutingConfigInput {
  teams: { id: string; name: string; strategy?: StoreStrategy; offerTimeoutMs?: number; memberRepIds?: string[] }[];
  problemTypes?: { id: string; label: string; teamId: string; priority?: number; requiredSkills?: string[] }[];
}

/** What validateRoutingConfig returns; opaque here, handed on to putConfig. */
export interface StoreRoutingConfig {
  readonly teams: readonly unknown[];
}

export interface StoreEnqueueInput {
  sessionId: string;
  target?: { kind: "team" | "rep"; id: string };
  problemTypeId: string;
  priority: number;
  requiredSkills: readonly string[];
}

export interface StorePlacement {
  offeredRepId?: string;
  epoch: number;
  expiresAtMs: number;
  position: number;
  queueLength: number;
}

export interface StoreRepCapacityInput {
  repId: string;
  version: number;
  routableCapacity: number;
  teamIds: readonly string[];
  skills: readonly string[];
  connected: boolean;
}

/** The subset of services/acd/src/store/routing-store.ts `RoutingStore` the benchmark calls. */
export interface RoutingStore {
  putConfig(site: string, config: StoreRoutingConfig): Promise<number>;
  enqueue(site: string, input: StoreEnqueueInput): Promise<StorePlacement>;
  accept(site: string, sessionId: string, repId: string, epoch: number): Promise<void>;
  end(site: string, sessionId: string, repId: string, epoch: number): Promise<number>;
  abandon(site: string, sessionId: string, reason: string): Promise<number>;
  setRepCapacity(
    site: string,
    input: StoreRepCapacityInput,
  ): Promise<{ applied: boolean; storedVersion: number; withdrawn: number }>;
  teamAvailability(
    site: string,
    teamId: string,
  ): Promise<{ loggedIn: number; routable: number; withFreeCapacity: number; waiting: number }>;
}

/** services/acd/src/store/keys.ts: the only place key strings are built on the Node side. */
export interface AcdKeys {
  outbox(site: string): string;
}

/** The acd's RoutingStore, plus putConfigInput: the acd's validation (defaults filled in), then putConfig. */
export type AcdStore = RoutingStore & { putConfigInput(site: string, input: StoreRoutingConfigInput): Promise<number> };

/**
 * The store; with `libraryDir` (a `services/acd/dist/store/library` of another build, e.g. main's in
 * a second worktree) its calls go to that build's Lua instead of this one's, under its own library
 * name (the name carries the content hash), so both run side by side on one Redis. This build's
 * constants module is used for both.
 */
export function loadRoutingStore(redis: RedisClient, libraryDir?: string): AcdStore {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the note at the top of this file
  const storeModule = require(path.join(acdDist, "store", "routing-store.js")) as {
    RoutingStore: new (
      redis: RedisClient,
      bounds: { maxWaitingPerTeam: number; maxSessionsPerSite: number },
    ) => RoutingStore;
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the note at the top of this file
  const configModule = require(path.join(acdDist, "domain", "routing-config.js")) as {
    validateRoutingConfig(input: StoreRoutingConfigInput): StoreRoutingConfig;
  };
  // The bench measures routing, not the queue bounds: its scale site holds 100,000 waiting sessions.
  const store = new storeModule.RoutingStore(redis, {
    maxWaitingPerTeam: Number.MAX_SAFE_INTEGER,
    maxSessionsPerSite: Number.MAX_SAFE_INTEGER,
  });
  if (libraryDir) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the note at the top of this file
    const libraryModule = require(path.join(acdDist, "store", "routing-library.js")) as {
      LUA_CONSTANTS: Parameters<typeof serviceFunctionLibrary>[2];
    };
    const functions = new FunctionClient(redis, serviceFunctionLibrary("acd", libraryDir, libraryModule.LUA_CONSTANTS));
    Object.assign(store, { functions });
  }
  return Object.assign(store, {
    putConfigInput: (site: string, input: StoreRoutingConfigInput) =>
      store.putConfig(site, configModule.validateRoutingConfig(input)),
  });
}

export function loadAcdKeys(): AcdKeys {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- see the note at the top of this file
  return (require(path.join(acdDist, "store", "keys.js")) as { keys: AcdKeys }).keys;
}

/** A one-team, longest-idle config for benchmark sites; the acd counts only members in a team. */
export function oneTeamConfig(teamId: string, offerTimeoutMs: number, memberRepIds: string[]): StoreRoutingConfigInput {
  return { teams: [{ id: teamId, name: `Team ${teamId}`, strategy: "longest_idle", offerTimeoutMs, memberRepIds }] };
}
