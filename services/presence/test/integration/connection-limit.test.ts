import { status } from "@grpc/grpc-js";
import { errorInfo } from "@handoff/runtime";
import { refusal } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PresenceStack } from "../support/presence-stack";
import { newSite, putTeams, team } from "../support/site-fixture";

const LIMIT = 4;

// Issue 11: 10,000 heartbeat connection ids for one rep were accepted.
describe("presence's bound on live connections per rep", () => {
  let stack: PresenceStack;
  beforeAll(async () => {
    stack = await PresenceStack.start({ MAX_CONNECTIONS_PER_REP: String(LIMIT) });
  });
  afterAll(() => stack.stop());

  it("refuses a rep's connection beyond MAX_CONNECTIONS_PER_REP with RESOURCE_EXHAUSTED, and keeps the live ones", async () => {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [team("support", { memberRepIds: ["rep"] })]);
    await stack.presence.login({ siteId, repId: "rep", teamIds: ["support"], connectionId: "c0" });
    for (let i = 1; i < LIMIT; i++) await stack.presence.heartbeat({ siteId, repId: "rep", connectionId: `c${i}` });

    const extra = await refusal(stack.presence.heartbeat({ siteId, repId: "rep", connectionId: `c${LIMIT}` }));
    expect(extra.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(errorInfo(extra)).toMatchObject({ reason: "TOO_MANY_CONNECTIONS", metadata: { limit: String(LIMIT) } });
    const login = await refusal(
      stack.presence.login({ siteId, repId: "rep", teamIds: ["support"], connectionId: "new" }),
    );
    expect(login.code).toBe(status.RESOURCE_EXHAUSTED);

    // The connections he holds still heartbeat, and one freed makes room for another.
    await stack.presence.heartbeat({ siteId, repId: "rep", connectionId: "c0" });
    await stack.presence.disconnect({ siteId, repId: "rep", connectionId: "c1" });
    await stack.presence.heartbeat({ siteId, repId: "rep", connectionId: "replacement" });
    const { rep } = await stack.presence.getRep({ siteId, repId: "rep" });
    expect(rep?.liveConnections).toBe(LIMIT);
  });
});
