import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import {
  asCustomer,
  asRep,
  asSupervisor,
  infrastructureEnv,
  issueRequest,
  SessionStack,
  teamConfig,
  siteWithTeams,
} from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

describe("wait estimates are recorded when the customer is shown them, not when staff read the queue", () => {
  let stack: SessionStack;
  let redis: RedisClient;
  beforeAll(async () => {
    // No interval between recorded estimates, so each estimate the customer is shown is recorded.
    stack = await SessionStack.start({ acdEnv: { ESTIMATE_RECORD_INTERVAL_MS: "1" } });
    redis = createRedis({ url: infrastructureEnv().REDIS_URL });
    await redisReady(redis);
  }, 120_000);
  afterAll(async () => {
    await redis?.quit();
    await stack?.stop();
  });

  const estimatesOf = async (siteId: string, sessionId: string) =>
    (await redis.xrange(`hq:{${siteId}}:ob`, "-", "+")).filter(([, fields]) => {
      const field = (name: string) => fields[fields.indexOf(name) + 1];
      return field("t") === "WaitEstimated" && field("k") === sessionId;
    }).length;

  it("records one for the customer's GetSession and none for a rep's or a supervisor's", async () => {
    const siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["alice"] })]);
    const created = await stack.broker.createSession(issueRequest(siteId));
    const sessionId = created.session!.sessionId;
    expect(created.position?.position).toBe(1);
    // The customer was told his first estimate with the answer to CreateSession.
    expect(await estimatesOf(siteId, sessionId)).toBe(1);

    for (let i = 0; i < 20; i++) {
      for (const requester of [asRep("alice"), asSupervisor("sam")]) {
        const { position } = await stack.broker.getSession({ siteId, sessionId, requester });
        expect(position?.position).toBe(1);
      }
    }
    expect(await estimatesOf(siteId, sessionId)).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 5));
    const shown = await stack.broker.getSession({ siteId, sessionId, requester: asCustomer(created.customerToken) });
    expect(shown.position?.position).toBe(1);
    expect(await estimatesOf(siteId, sessionId)).toBe(2);
  });
});
