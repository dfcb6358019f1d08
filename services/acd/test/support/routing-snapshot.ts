import type { RedisClient } from "@handoff/runtime";

/**
 * A site's routing state read straight from Redis in one MULTI/EXEC, so it is consistent even while
 * clients keep calling the acd (every transition is one script, and a transaction runs between two).
 * Key layout: prefix `hq:{site}:`; sessions `s:<id>` (+ `s:<id>:rj` rejecters), reps `r:<id>`, queues
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

/** Reads the state of the given sessions and reps (and every team of the site) atomically. */
export async function readSnapshot(
  redis: RedisClient,
  site: string,
  ids: { sessions: Iterable<string>; reps: Iterable<string> },
): Promise<SiteSnapshot> {
  const p = `hq:{${site}}:`;
  const teamIds = (await redis.smembers(`${p}teams`)).sort();
  const sessionIds = [...new Set(ids.sessions)];
  const repIds = [...new Set(ids.reps)];
  const tx = redis.multi();
  for (const id of sessionIds) tx.hgetall(`${p}s:${id}`).smembers(`${p}s:${id}:rj`);
  for (const id of repIds) tx.hgetall(`${p}r:${id}`).smembers(`${p}ro:${id}`).zrange(`${p}q:r:${id}`, 0, -1, "WITHSCORES");
  for (const team of teamIds) tx.hget(`${p}team:${team}`, "strat").zrange(`${p}q:t:${team}`, 0, -1, "WITHSCORES").zrange(`${p}ix:${team}`, 0, -1);
  tx.zrange(`${p}dl`, 0, -1, "WITHSCORES");
  const replies = await tx.exec();
  if (!replies) throw new Error("snapshot transaction was aborted");
  let i = 0;
  const next = <T>(): T => {
    const [error, value] = replies[i++]!;
    if (error) throw error;
    return value as T;
  };

  const sessions = new Map<string, SessionRecord>();
  for (const id of sessionIds) {
    const h = next<Record<string, string>>();
    const rejecters = next<string[]>();
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
    });
  }
  const reps = new Map<string, RepRecord>();
  const queues = new Map<string, QueueEntry[]>();
  for (const id of repIds) {
    const h = next<Record<string, string>>();
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
      offered: next<string[]>(),
    });
    queues.set(`r:${id}`, pairs(next<string[]>()));
  }
  const teams = new Map<string, string>();
  const indexes = new Map<string, string[]>();
  for (const team of teamIds) {
    teams.set(team, next<string | null>() ?? "");
    queues.set(`t:${team}`, pairs(next<string[]>()));
    indexes.set(team, next<string[]>());
  }
  const deadlines = pairs(next<string[]>());
  return { site, sessions, reps, teams, queues, indexes, deadlines };
}

/** Every session id the site has in Redis (a SCAN; not atomic with anything else). */
export async function scanSessionIds(redis: RedisClient, site: string): Promise<string[]> {
  const prefix = `hq:{${site}}:s:`;
  const ids: string[] = [];
  let cursor = "0";
  do {
    const [nextCursor, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = nextCursor;
    for (const key of keys) if (!key.endsWith(":rj")) ids.push(key.slice(prefix.length));
  } while (cursor !== "0");
  return ids;
}
