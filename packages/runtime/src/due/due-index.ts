import { context, ROOT_CONTEXT } from "@opentelemetry/api";
import path from "node:path";
import type { RedisClient } from "../redis/connection";
import { FunctionClient } from "../redis/function-client";
import { buildFunctionLibrary, readLuaDir, runtimeLuaModules, type FunctionLibrary } from "../redis/function-library";

/** The functions sit next to this module (the build copies them into dist/). */
const FUNCTIONS_DIR = path.join(__dirname, "library", "functions");
let library: FunctionLibrary | undefined;
/** One library (`due_<hash>`) for every service's indexes: the same version is loaded once per node. */
const dueLibrary = () =>
  (library ??= buildFunctionLibrary("due", runtimeLuaModules(), readLuaDir(FUNCTIONS_DIR, "function")));

/** A claimed tenant comes due again after this when its visit never settled (the leader died). */
const RECHECK_MS = 1_000;
/** Tenants read per SSCAN page by `markAll`. */
const MARK_PAGE = 500;
/** Most tenants in one markDue call: a flood of marks goes as several calls of bounded size. */
const MARK_BATCH = 500;

/** What one `claim` handed out. */
export interface DueClaim {
  tenants: string[];
  /** Identifies this claim to `settle`. */
  score: string;
  /** Ms until the next unclaimed due time, -1 when none. */
  nextInMs: number;
}

/**
 * Sorted sets of the tenants (sites) that have work due, by when, so a leader's loop visits only
 * those and an idle tenant costs nothing, however many exist. Each set is one kind of work (offer
 * deadlines, outbox relay...). All of a service's sets share one hash tag (`prefix`, e.g.
 * `hq:{#acd-due}:`): one Redis Cluster slot, and one call marks several.
 *
 * The protocol, without a lock: a writer calls `mark` after its change (its own function cannot, as the
 * tenant's keys live in another slot); the leader `claim`s due tenants, visits each, then `settle`s it
 * with the next due time the visit found. A claim moves the mark to a half-millisecond score that any
 * mark replaces, so a change made while the visit ran is never settled away. A writer that dies
 * between its change and its mark leaves that work unmarked until its replacement starts: every
 * replica marks every tenant once at start (`markAll`), as a new leader does; everything else is
 * visited in time.
 */
export class DueIndexes<Name extends string> {
  private readonly functions: FunctionClient;
  /** Marks asked for since the last send: per tenant, the earliest due time per index. */
  private pending = new Map<string, Map<string, number>>();
  private sending: Promise<void> | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    readonly names: readonly Name[],
  ) {
    this.functions = new FunctionClient(redis, dueLibrary());
  }

  key(name: Name): string {
    return `${this.prefix}${name}`;
  }

  /**
   * Work of `tenant` is due at these times (ms since epoch on Redis's clock; 0: at once) or sooner;
   * resolves once the mark is stored. Every write marks, so the marks asked for in one turn of the event
   * loop go as one call, the earliest time per tenant and index kept: under load a cycle's three marks
   * cost a share of one call instead of three calls (Redis's fixed cost per call, a socket write and a
   * client span each). The wait is one turn (`setImmediate`).
   */
  mark(tenant: string, due: Partial<Record<Name, number>>): Promise<void> {
    const entries = Object.entries(due) as [string, number][];
    if (entries.length === 0) return Promise.resolve();
    let marks = this.pending.get(tenant);
    if (!marks) this.pending.set(tenant, (marks = new Map<string, number>()));
    for (const [name, at] of entries) marks.set(name, Math.min(marks.get(name) ?? Infinity, Math.floor(at)));
    this.sending ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.sendPending());
    return this.sending;
  }

  /**
   * Sends what is pending; marks asked for meanwhile wait for the next turn. Outside any caller's trace:
   * the call serves many requests, and with no parent the Redis client opens no span for it.
   */
  private sendPending(): Promise<void> {
    const batch = [...this.pending];
    this.pending = new Map();
    this.sending = undefined;
    const calls: Promise<unknown>[] = [];
    for (let start = 0; start < batch.length; start += MARK_BATCH) {
      const args = batch
        .slice(start, start + MARK_BATCH)
        .flatMap(([tenant, marks]) => [tenant, marks.size, ...[...marks].flat()]);
      calls.push(context.with(ROOT_CONTEXT, () => this.functions.call("markDue", [this.prefix], args)));
    }
    return Promise.all(calls).then(() => undefined);
  }

  async claim(name: Name, limit: number): Promise<DueClaim> {
    const [score, nextInMs, ...tenants] = (await this.functions.call(
      "claimDue",
      [this.prefix],
      [name, limit, RECHECK_MS],
    )) as (string | number)[];
    return { score: String(score), nextInMs: Number(nextInMs), tenants: tenants.map(String) };
  }

  /** `nextInMs`: when the visit found more work due, undefined when none. */
  async settle(name: Name, tenant: string, claim: DueClaim, nextInMs: number | undefined): Promise<void> {
    await this.functions.call("settleDue", [this.prefix], [name, tenant, claim.score, nextInMs ?? ""]);
  }

  /**
   * Marks every tenant of the set `registryKey` due now, a page at a time: for a new leader, and for a
   * replica that starts (the replacement of one that may have died between a write and its mark), so
   * the leader visits each once and catches such a write (or one of a version without marks). The
   * only pass over all tenants, and it happens at a start or a change of leader only.
   */
  async markAll(registryKey: string): Promise<void> {
    let cursor = "0";
    do {
      const [next, tenants] = await this.redis.sscan(registryKey, cursor, "COUNT", MARK_PAGE);
      cursor = next;
      const now = Date.now();
      const due = Object.fromEntries(this.names.map((name) => [name, now])) as Partial<Record<Name, number>>;
      await Promise.all(tenants.map((tenant) => this.mark(tenant, due)));
    } while (cursor !== "0");
  }

  /** Forgets a tenant (a retired site). */
  async remove(tenant: string): Promise<void> {
    await Promise.all(this.names.map((name) => this.redis.zrem(this.key(name), tenant)));
  }
}

/** What a sweep of the `Name` index needs; any set of indexes that has it will do. */
export type DueClaims<Name extends string> = Pick<DueIndexes<Name>, "claim" | "settle">;

export interface DueSweepOptions {
  /** Tenants per claim; the sweep claims again at once while a claim comes back full. @default 200 */
  batch?: number;
  /** Longest pause between passes: another replica may mark a tenant at any time. */
  maxSleepMs: number;
}

/**
 * One pass of a leader duty over the due tenants of one index: `visit` does a tenant's due work and
 * returns ms until its next, or undefined. Returns the ms to wait before the next pass. A visit that
 * fails leaves its tenant claimed (due again within a second); the others still run, and the first
 * failure is thrown at the end for the loop to log.
 */
export async function sweepDue<Name extends string>(
  indexes: DueClaims<Name>,
  name: Name,
  visit: (tenant: string) => Promise<number | undefined>,
  options: DueSweepOptions,
): Promise<number> {
  const batch = options.batch ?? 200;
  const claim = await indexes.claim(name, batch);
  let wait = claim.nextInMs >= 0 ? Math.min(options.maxSleepMs, claim.nextInMs) : options.maxSleepMs;
  let failure: Error | undefined;
  for (const tenant of claim.tenants) {
    let next: number | undefined;
    try {
      next = await visit(tenant);
    } catch (error) {
      failure ??= error instanceof Error ? error : new Error(String(error));
      continue;
    }
    await indexes.settle(name, tenant, claim, next);
    if (next !== undefined) wait = Math.min(wait, next);
  }
  if (failure) throw failure;
  return claim.tenants.length === batch ? 0 : wait;
}
