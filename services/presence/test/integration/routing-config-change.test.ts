import { RepState } from "@handoff/proto/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../support/eventually";
import { PresenceStack } from "../support/presence-stack";
import { enqueue, newSite, putTeams, team } from "../support/site-fixture";

describe("presence after the routing config changes", () => {
  let stack: PresenceStack;
  beforeAll(async () => {
    stack = await PresenceStack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("still tells the acd when a rep goes away after the config dropped another team he is logged in to", async () => {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [
      team("support", { memberRepIds: ["ann"] }),
      team("sales", { memberRepIds: ["ann"] }),
    ]);
    await stack.presence.login({ siteId, repId: "ann", teamIds: ["support", "sales"], connectionId: "ann-desk" });
    await putTeams(stack.acd, siteId, [team("support", { memberRepIds: ["ann"] })]);

    const { rep } = await stack.presence.setState({
      siteId,
      repId: "ann",
      state: RepState.REP_STATE_AWAY,
      reasonCode: "lunch",
      actor: 0,
      actorId: "",
    });
    // Beyond the leader's retry of failed pushes (1 s).
    await waitUntil(
      async () => (await stack.acd.getRepRouting({ siteId, repId: "ann" })).version === rep!.version,
      3_000,
    );
    expect(await stack.acd.getRepRouting({ siteId, repId: "ann" })).toMatchObject({
      version: rep!.version,
      routableCapacity: 0,
    });
    expect(await enqueue(stack.acd, siteId, "s1", "support")).toBe("");
  });
});
