import { Actor, RepState } from "@handoff/proto/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../support/eventually";
import { PresenceStack } from "../support/presence-stack";
import { newSite, putTeams, team } from "../support/site-fixture";

const INTERVAL_MS = 1_000;
const TOLERANCE = 5;

describe("presence restarted after kill -9", () => {
  let stack: PresenceStack;
  beforeAll(async () => {
    stack = await PresenceStack.start({
      HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS),
      HEARTBEAT_TOLERANCE: String(TOLERANCE),
    });
  });
  afterAll(async () => {
    await stack.stop();
  });

  it("loses no rep state, keeps heartbeats working and pushes the next change to the acd", async () => {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [
      team("support", { memberRepIds: ["ann", "ben", "cat", "dan"] }),
      team("sales", { memberRepIds: ["ann", "cat"] }),
    ]);
    const { presence } = stack;
    await presence.login({ siteId, repId: "ann", teamIds: ["support", "sales"], connectionId: "ann-desk" });
    await presence.heartbeat({ siteId, repId: "ann", connectionId: "ann-laptop" });
    await presence.setCapacity({ siteId, repId: "ann", capacity: 3, skills: ["french", "billing"] });
    await presence.login({ siteId, repId: "ben", teamIds: ["support"], connectionId: "ben-desk" });
    await presence.setState({ siteId, repId: "ben", state: RepState.REP_STATE_AWAY, reasonCode: "lunch", actor: 0, actorId: "" });
    await presence.login({ siteId, repId: "cat", teamIds: ["sales"], connectionId: "cat-desk" });
    await presence.setState({
      siteId,
      repId: "cat",
      state: RepState.REP_STATE_BUSY,
      reasonCode: "",
      actor: Actor.ACTOR_SUPERVISOR,
      actorId: "sue",
    });
    await presence.login({ siteId, repId: "dan", teamIds: ["support"], connectionId: "dan-desk" });
    await presence.logout({ siteId, repId: "dan", actor: Actor.ACTOR_REP });
    const reps = ["ann", "ben", "cat", "dan"];
    const snapshot = async () => {
      const rep = await Promise.all(reps.map((repId) => stack.presence.getRep({ siteId, repId })));
      const routing = await Promise.all(reps.map((repId) => stack.acd.getRepRouting({ siteId, repId })));
      return { rep, routing };
    };
    await waitUntil(async () => {
      const { rep, routing } = await snapshot();
      return rep.every((r, i) => r.rep?.version === routing[i]?.version);
    }, 5_000);
    const before = await snapshot();
    expect(before.rep.map((r) => r.rep?.state)).toEqual([
      RepState.REP_STATE_AVAILABLE,
      RepState.REP_STATE_AWAY,
      RepState.REP_STATE_BUSY,
      RepState.REP_STATE_OFFLINE,
    ]);
    expect(before.rep[0]?.rep).toMatchObject({ liveConnections: 2, capacity: 3, teamIds: ["support", "sales"] });

    const restart = await stack.restartPresence("SIGKILL");
    const beat = (repId: string, connectionId: string) =>
      stack.presence.heartbeat({ siteId, repId, connectionId }).then((r) => r.nextDeadlineMs);

    expect(await snapshot()).toEqual(before);
    const beatAt = Date.now();
    expect(await beat("ann", "ann-desk")).toBeGreaterThanOrEqual(beatAt + INTERVAL_MS * TOLERANCE - 50);
    expect(await beat("ann", "ann-laptop")).toBeGreaterThanOrEqual(beatAt + INTERVAL_MS * TOLERANCE - 50);

    await stack.presence.setState({
      siteId,
      repId: "ben",
      state: RepState.REP_STATE_AVAILABLE,
      reasonCode: "",
      actor: 0,
      actorId: "",
    });
    const ben = await stack.presence.getRep({ siteId, repId: "ben" });
    const benRouting = await stack.acd.getRepRouting({ siteId, repId: "ben" });
    expect(ben.rep?.version).toBeGreaterThan(before.rep[1]!.rep!.version);
    expect(benRouting).toMatchObject({ version: ben.rep?.version, routableCapacity: 1, connected: true });
    console.log(`presence restart after SIGKILL: stop ${restart.stopMs} ms, start ${restart.startMs} ms`);
  });
});
