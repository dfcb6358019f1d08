import pino from "pino";
import { describe, expect, it, vi } from "vitest";
import { startLeadership } from "../../src/leadership/start-leadership";
import type { RedisClient } from "../../src/redis/connection";

const logger = pino({ level: "silent" });

/** Just enough of a Redis client for one uncontended lock. */
function fakeRedis() {
  return {
    set: vi.fn(() => Promise.resolve("OK")),
    eval: vi.fn(() => Promise.resolve(1)),
  };
}

const options = (redis: ReturnType<typeof fakeRedis>, env: NodeJS.ProcessEnv) => ({
  redis: redis as unknown as RedisClient,
  key: "hq:leader:test",
  leaseName: "handoff-test-leader",
  namespace: "handoff",
  holderId: "pod-a",
  logger,
  env,
});

describe("startLeadership", () => {
  it("competes for a Redis lock outside Kubernetes", async () => {
    const redis = fakeRedis();
    const leadership = startLeadership(options(redis, {}));
    await vi.waitFor(() => expect(leadership.isLeader).toBe(true));
    expect(redis.set).toHaveBeenCalledWith("hq:leader:test", "pod-a", "PX", 3000, "NX");
    await leadership.stop();
    expect(leadership.isLeader).toBe(false);
    expect(redis.eval).toHaveBeenLastCalledWith(expect.stringContaining('"DEL"'), 1, "hq:leader:test", "pod-a");
  });

  it("leaves Redis alone inside Kubernetes", async () => {
    const redis = fakeRedis();
    const leadership = startLeadership(options(redis, { KUBERNETES_SERVICE_HOST: "10.0.0.1" }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    await leadership.stop();
    expect(redis.set).not.toHaveBeenCalled();
    expect(redis.eval).not.toHaveBeenCalled();
  });
});
