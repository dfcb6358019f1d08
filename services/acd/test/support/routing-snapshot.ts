import type { RedisClient } from "@handoff/runtime";
import { tenantPrefix } from "../../src/store/keys";

/**
 * A site's routing state read straight from Redis by one script, so it is consistent even while clients
 * keep calling the acd (every transition is one script, and this one runs between two).
 * Key layout: prefix `hq:{site}:`; sessions `s:<id>` (+ `rj:<id>` rejecters), reps `r:<id>`, queues
 * `q:t:<team>` / `q:r:<rep>` (member = 18 hex chars of order + session id, score = 1000 - priority),
 * offered sets `ro:<rep>`, team indexes `ix:<team>`, team hashes `team:<id>`, deadlines `dl`.
 */

export type SessionStateCode = "w" | "o" | "a" | "e" | "x";

export interface SessionRecord {
  id: string;
  st: string;
  /** Primary queue, `t:<team>` or `r:<rep>`. */
  q: string;
  /** Teams it overflowed to. */
  x: string[];
  p: number;
  /** Queue member: order prefix + id. */
  o: string;
  sk: string[];
  e: number;
  r: string | undefined;
  et: number;
  rejecters: string[];
  /** The customer is away keeping his place (`aw`): no rep may be offered the session. */
  aw: boolean;
}

export interface RepRecord {
  id: string;
  known: boolean;
  cap: number;
  ver: number;
  load: number;
  act: number;
  teams: string[];
  sk: string[];
  con: boolean;
  nr: boolean;
  /** `ro:<rep>`: the sessions he holds an open offer for. */
  offered: string[];
}

export interface QueueEntry {
  member: string;
  score: number;
}

export interface SiteSnapshot {
  site: string;
  sessions: Map<string, SessionRecord>;
  reps: Map<string, RepRecord>;
  /** Team id → strategy code (li, lb, rr, mn). */
  teams: Map<string, string>;
  /** `t:<team>` / `r:<rep>` → members in queue order. */
  queues: Map<string, QueueEntry[]>;
  /** Team id → rep ids in its push index. */
  indexes: Map<string, string[]>;
  /** `o|<session>|<epoch>` and `v|<session>|<step>` with their due time. */
  deadlines: QueueEntry[];
}

const list = (value: string | undefined) => (value ? value.split(",").filter(Boolean) : []);

function pairs(flat: string[]): QueueEntry[] {
  const out: QueueEntry[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push({ member: flat[i]!, score: Number(flat[i + 1]) });
  return out;
}

/**
 * One script reads everything, so the snapshot is atomic and complete: it finds the site's sessions and
 * reps itself (KEYS, fine on a test database), and never misses one that a concurrent call created.
 */
const SNAPSHOT_SCRIPT = `
local p = KEYS[1]
local sessions, reps, teams = {}, {}, {}
for _, key in ipairs(redis.call("KEYS", p .. "s:*")) do
  local id = string.sub(key, #p + 3)
  sessions[#sessions + 1] = { id, redis.call("HGETALL", key), redis.call("SMEMBERS", p .. "rj:" .. id) }
end
for _, key in ipairs(redis.call("KEYS", p .. "r:*")) do
  local id = string.sub(key, #p + 3)
  reps[#reps + 1] = { id, redis.call("HGETALL", key), redis.call("SMEMBERS", p .. "ro:" .. id),
    redis.call("ZRANGE", p .. "q:r:" .. id, 0, -1, "WITHSCORES") }
end
for _, id in ipairs(redis.call("SMEMBERS", p .. "teams")) do
  teams[#teams + 1] = { id, redis.call("HGET", p .. "team:" .. id, "strat") or "",
    redis.call("ZRANGE", p .. "q:t:" .. id, 0, -1, "WITHSCORES"), redis.call("ZRANGE", p .. "ix:" .. id, 0, -1) }
end
return { sessions, reps, teams, redis.call("ZRANGE", p .. "dl", 0, -1, "WITHSCORES") }
`;

type Flat = string[];

function record(flat: Flat): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** Reads the whole routing state of a site atomically (single Redis only: the script finds keys with KEYS). */
export async function readSnapshot(redis: RedisClient, site: string): Promise<SiteSnapshot> {
  const [sessionRows, repRows, teamRows, deadlineRow] = (await redis.eval(SNAPSHOT_SCRIPT, 1, tenantPrefix(site))) as [
    [string, Flat, string[]][],
    [string, Flat, string[], Flat][],
    [string, string, Flat, string[]][],
    Flat,
  ];
  const sessions = new Map<string, SessionRecord>();
  for (const [id, flat, rejecters] of sessionRows) {
    const h = record(flat);
    if (!h.st) continue;
    sessions.set(id, {
      id,
      st: h.st,
      q: h.q ?? "",
      x: list(h.x),
      p: Number(h.p),
      o: h.o ?? "",
      sk: list(h.sk),
      e: Number(h.e),
      r: h.r || undefined,
      et: Number(h.et),
      rejecters,
      aw: h.aw === "1",
    });
  }
  const reps = new Map<string, RepRecord>();
  const queues = new Map<string, QueueEntry[]>();
  for (const [id, flat, offered, personal] of repRows) {
    const h = record(flat);
    reps.set(id, {
      id,
      known: h.ver !== undefined,
      cap: Number(h.cap ?? 0),
      ver: Number(h.ver ?? 0),
      load: Number(h.load ?? 0),
      act: Number(h.act ?? 0),
      teams: list(h.teams),
      sk: list(h.sk),
      con: h.con === "1",
      nr: h.nr === "1",
      offered,
    });
    queues.set(`r:${id}`, pairs(personal));
  }
  const teams = new Map<string, string>();
  const indexes = new Map<string, string[]>();
  for (const [id, strategy, queue, index] of teamRows) {
    teams.set(id, strategy);
    queues.set(`t:${id}`, pairs(queue));
    indexes.set(id, index);
  }
  return { site, sessions, reps, teams, queues, indexes, deadlines: pairs(deadlineRow) };
}
