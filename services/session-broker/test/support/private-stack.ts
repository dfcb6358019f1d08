import path from "node:path";
import { pathToFileURL } from "node:url";
import { SessionStack, type SessionStackOptions } from "@handoff/testing";

/** The part of scripts/infra/redis.ts used here (the harness is ESM TypeScript that Node 24 runs as is). */
interface RedisHarness {
  startRedis(): Promise<{ url: string; port: number; stop(): Promise<void> }>;
}

export interface PrivateStack {
  stack: SessionStack;
  /** The stack's own Redis (acd, presence and the brokers' leader lock), safe to FLUSHALL. */
  redisUrl: string;
  stop(): Promise<void>;
}

/**
 * A SessionStack on a Redis of its own (PostgreSQL and Kafka stay shared). With its own Redis the stack has its own broker leader, so its reconciler and
 * disconnect sweep are this test's code, not whichever replica of another test holds the shared
 * lock; and the test may wipe that Redis. Other stacks' leaders still see this test's sessions in
 * the shared PostgreSQL, but skip them: their acd has no routing config for this test's site.
 */
export async function startPrivateStack(options: SessionStackOptions = {}): Promise<PrivateStack> {
  const harnessUrl = pathToFileURL(path.resolve(__dirname, "..", "..", "..", "..", "scripts", "infra", "redis.ts"));
  const harness = (await import(harnessUrl.href)) as RedisHarness;
  const redis = await harness.startRedis();
  const shared = process.env.REDIS_URL;
  // SessionStack reads the infrastructure from the environment when it starts.
  process.env.REDIS_URL = redis.url;
  let stack: SessionStack;
  try {
    stack = await SessionStack.start(options);
  } catch (error) {
    await redis.stop();
    throw error;
  } finally {
    process.env.REDIS_URL = shared;
  }
  return {
    stack,
    redisUrl: redis.url,
    stop: async () => {
      await stack.stop();
      await redis.stop();
    },
  };
}
