import type { RedisClient } from "@handoff/runtime";

/** An open stream's mark outlives a missed keep-alive or two, not a closed page. */
const OPEN_MARK_TTL_MS = 45_000;

export interface AwaySession {
  siteId: string;
  sessionId: string;
}

/**
 * Keep my place, in Redis so every intake replica sees it: the sessions whose customers are away (to be
 * called back when their turn is near), and which sessions have a live stream open now (on any
 * replica: a keep-alive renews its mark), which decides how he is called back: a `callback` frame on
 * the open page, else the site's webhook. One pass at a time across replicas (a short lock).
 */
export class AwayRegistry {
  private readonly awayKey: string;
  private readonly passKey: string;

  constructor(
    private readonly redis: RedisClient,
    /** The deployment's key prefix (REDIS_KEY_PREFIX). */
    private readonly prefix: string,
  ) {
    this.awayKey = `${prefix}:away`;
    this.passKey = `${prefix}:away-pass`;
  }

  private openKey(siteId: string, sessionId: string): string {
    return `${this.prefix}:{${siteId}}:open:${sessionId}`;
  }

  private static member = (s: AwaySession) => `${s.siteId}\n${s.sessionId}`;

  async add(session: AwaySession): Promise<void> {
    await this.redis.zadd(this.awayKey, Date.now(), AwayRegistry.member(session));
  }

  async remove(session: AwaySession): Promise<void> {
    await this.redis.zrem(this.awayKey, AwayRegistry.member(session));
  }

  /** The longest-away sessions first, at most `limit`. */
  async list(limit: number): Promise<AwaySession[]> {
    const members = await this.redis.zrange(this.awayKey, 0, limit - 1);
    return members.flatMap((member) => {
      const [siteId, sessionId] = member.split("\n");
      return siteId && sessionId ? [{ siteId, sessionId }] : [];
    });
  }

  /** A stream of the session is open (called on open and on each keep-alive). */
  async streamOpen(session: AwaySession, generation: number): Promise<void> {
    await this.redis.set(this.openKey(session.siteId, session.sessionId), String(generation), "PX", OPEN_MARK_TTL_MS);
  }

  /** The stream of that generation closed (a newer one keeps its own mark). */
  async streamClosed(session: AwaySession, generation: number): Promise<void> {
    const key = this.openKey(session.siteId, session.sessionId);
    if ((await this.redis.get(key)) === String(generation)) await this.redis.del(key);
  }

  async isStreamOpen(session: AwaySession): Promise<boolean> {
    return (await this.redis.exists(this.openKey(session.siteId, session.sessionId))) === 1;
  }

  /** Whether this replica may run the next callback pass (no other did within `ms`). */
  async claimPass(ms: number): Promise<boolean> {
    return (await this.redis.set(this.passKey, "1", "PX", ms, "NX")) === "OK";
  }
}
