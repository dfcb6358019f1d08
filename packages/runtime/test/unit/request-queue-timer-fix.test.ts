import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fixRequestQueueTimer } from "../../src/kafka/request-queue-timer-fix";

interface RequestQueue {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
  destroy(): void;
}

const require = createRequire(__filename);
const RequestQueueClass = require("kafkajs/src/network/requestQueue") as new (options: object) => RequestQueue;
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function newQueue(): RequestQueue {
  return new RequestQueueClass({
    maxInFlightRequests: 1,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: "test",
    broker: "127.0.0.1:9092",
    logger: silent,
  });
}

describe("kafkajs request queue timer fix", () => {
  const queues: RequestQueue[] = [];
  afterEach(() => {
    for (const queue of queues.splice(0)) queue.destroy();
    vi.restoreAllMocks();
  });

  it("is still needed: the installed kafkajs schedules a negative timeout (delete the fix when this fails)", () => {
    expect(fixRequestQueueTimer()).toBe("fixed");
  });

  it("leaves an idle queue without a timer, so it neither warns nor polls itself every millisecond", async () => {
    fixRequestQueueTimer();
    const queue = newQueue();
    queues.push(queue);
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning.name);
    process.on("warning", onWarning);
    const checks = vi.spyOn(queue, "checkPendingRequests");
    try {
      // What kafkajs does after every fulfilled request.
      queue.checkPendingRequests();
      await sleep(50);
    } finally {
      process.off("warning", onWarning);
    }
    expect(checks).toHaveBeenCalledTimes(1);
    expect(queue.throttleCheckTimeoutId).toBeNull();
    expect(warnings).not.toContain("TimeoutNegativeWarning");
  });

  it("still checks a waiting request after kafkajs's 10 ms, and after a throttle ends", () => {
    fixRequestQueueTimer();
    const delays: (number | undefined)[] = [];
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation((handler: () => void, delay?: number) => {
      delays.push(delay);
      return realSetTimeout(handler, delay);
    });

    const waiting = newQueue();
    queues.push(waiting);
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();

    const throttled = newQueue();
    queues.push(throttled);
    throttled.throttledUntil = Date.now() + 5_000;
    throttled.scheduleCheckPendingRequests();

    expect(delays[0]).toBe(10);
    expect(delays[1]).toBeGreaterThan(4_000);
    expect(delays[1]).toBeLessThanOrEqual(5_000);
  });
});
