import type { Logger, RedisClient } from "@handoff/runtime";

/** A session's claim counter outlives any stream of it (a customer waits hours at most). */
const COUNTER_TTL_MS = 24 * 3_600_000;

export interface StreamClaim {
  siteId: string;
  sessionId: string;
  /** Grows with every stream opened for the session, on any replica. */
  generation: number;
}

/**
 * One live stream per session across intake replicas. Opening a stream claims the session: Redis
 * counts the claim (INCR, so claims made on different replicas at once are still ordered) and
 * announces it on a channel every replica subscribes to; a replica holding a stream of that session
 * with a lower generation closes it. Pub/sub delivers nothing a replica misses while disconnected:
 * then two streams of one session may stay open until one ends, which costs a duplicate frame, not a
 * wrong one.
 */
export class StreamClaims {
  /** The channel every replica hears claims on. */
  private readonly channel: string;

  constructor(
    private readonly redis: RedisClient,
    private readonly subscriber: RedisClient,
    /** The deployment's key prefix (REDIS_KEY_PREFIX). */
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {
    this.channel = `${prefix}:stream-claims`;
  }

  /** The counter of a session's stream claims: one key, so it lives on one Redis Cluster slot. */
  private counterKey(siteId: string, sessionId: string): string {
    return `${this.prefix}:{${siteId}}:stream:${sessionId}`;
  }

  /** Hears every replica's claims (this one's too: the stream that made it has that generation). */
  async start(onClaim: (claim: StreamClaim) => void): Promise<void> {
    this.subscriber.on("message", (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        onClaim(JSON.parse(message) as StreamClaim);
      } catch (error) {
        this.logger.warn({ err: error }, "stream claims: unreadable claim skipped");
      }
    });
    await this.subscriber.subscribe(this.channel);
  }

  /** Claims the session for a new stream; its generation, and every older stream is told to close. */
  async claim(siteId: string, sessionId: string): Promise<number> {
    const key = this.counterKey(siteId, sessionId);
    const [generation] = await Promise.all([this.redis.incr(key), this.redis.pexpire(key, COUNTER_TTL_MS)]);
    await this.redis.publish(this.channel, JSON.stringify({ siteId, sessionId, generation } satisfies StreamClaim));
    return generation;
  }

  async stop(): Promise<void> {
    await this.subscriber.quit();
  }
}
