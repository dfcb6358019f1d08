import { loadInfrastructureHarness, type InfrastructureHarness } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoRouting } from "../support/portal-configs";
import { issueStart, openPortal } from "../support/portal-fixtures";
import { eventually, PortalStack, type PortalResponse } from "../support/portal-stack";

type Infrastructure = Awaited<ReturnType<InfrastructureHarness["startInfrastructure"]>>;

const expectUnavailable = (answer: PortalResponse, dependency: string) => {
  expect(answer.status).toBe(503);
  expect(answer.headers.get("retry-after")).toBe("2");
  expect(answer.body).toMatchObject({
    reason: "BROKER_UNAVAILABLE",
    dependency,
    retryAfterS: 2,
    detail: `${dependency} is unavailable; retry in 2 s`,
  });
};

/**
 * The customer is told what intake's session-broker cannot serve without: the broker's PostgreSQL
 * (the broker answers UNAVAILABLE DEPENDENCY_UNAVAILABLE naming it), or the broker itself.
 */
describe("the portal while the session-broker or its PostgreSQL is down", () => {
  let infra: Infrastructure;
  let stack: PortalStack;
  beforeAll(async () => {
    const harness = await loadInfrastructureHarness();
    // The broker's PostgreSQL of its own (the test stops it); intake keeps the shared one.
    infra = await harness.startInfrastructure({ redis: false, kafka: false, postgres: true, env: {} });
    stack = await PortalStack.start({}, { DATABASE_URL: infra.env.DATABASE_URL! });
  }, 240_000);
  afterAll(async () => {
    await stack?.stop();
    await infra?.stop();
  });

  it("answers 503 BROKER_UNAVAILABLE naming the broker's postgresql, then the broker itself, with Retry-After", async () => {
    const siteId = await stack.site(demoRouting(), openPortal());
    const started = await stack.startSession(siteId, issueStart("Ada"));
    const read = () =>
      stack.call("GET", `/v1/sites/${siteId}/sessions/${started.sessionId}`, { token: started.customerToken });
    expect((await read()).status).toBe(200);

    await infra.restart("DATABASE_URL", "SIGINT", undefined, async () => {
      expectUnavailable(await read(), "session-broker/postgresql");
    });
    await eventually(async () => expect((await read()).status).toBe(200), 30_000);

    await stack.sessions.stopBroker(0);
    expectUnavailable(await read(), "session-broker");
  }, 120_000);
});
