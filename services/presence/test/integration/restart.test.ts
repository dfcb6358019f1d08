import { Actor, RepState } from "@handoff/proto/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../support/eventually";
import { PresenceStack } from "../support/presence-stack";
import { newSite, putTeams, team } from "../support/site-fixture";

/** Long enough that no connection expires while presence is down, however long the restart takes. */
const INTERVAL_MS = 20_000;
const TOLERANCE = 3;
const REPS = ["ann", "ben", "cat", "dan", "eve"];

describe("presence killed with kill -9 and restarted", () => {
  const siteId = newSite();
  let stack: PresenceStack;
  let before: Awaited<ReturnType<typeof snapshot>>;
  let deadlineBefore: number;
  let restartMs: number;

  async function snapshot() {
    const reps = await Promise.all(REPS.map((repId) => stack.presence.getRep({ siteId, repId })));
    const routing = await Promise.all(REPS.map((repId) => stack.acd.getRepRouting({ siteId, repId })));
    return { reps: reps.map((r) => r.rep), routing };
  }

  beforeAll(async () => {
    stack = await PresenceStack.start({
      HEARTBEAT_INTERVAL_MS: String(INTERVAL_MS),
      HEARTBEAT_TOLERANCE: String(TOLERANCE),
    });
    await putTeams(stack.acd, siteId, [
      team("support", { memberRepIds: REPS }),
      team("sales", { memberRepIds: ["ann", "cat"] }),
    ]);
    const { presence } = stack;
    const setState = (repId: string, state: RepState, reasonCode = "", actor = Actor.ACTOR_REP, actorId = "") =>
      presence.setState({ siteId, repId, state, reasonCode, actor, actorId });
    await presence.login({ siteId, repId: "ann", teamIds: ["support", "sales"], connectionId: "ann-desk" });
    await presence.heartbeat({ siteId, repId: "ann", connectionId: "ann-laptop" });
    await presence.setCapacity({ siteId, repId: "ann", capacity: 3, skills: ["french", "billing"] });
    await presence.login({ siteId, repId: "ben", teamIds: ["support"], connectionId: "ben-desk" });
    await setState("ben", RepState.REP_STATE_AWAY, "lunch");
    await presence.login({ siteId, repId: "cat", teamIds: ["sales"], connectionId: "cat-desk" });
    await setState("cat", RepState.REP_STATE_BUSY, "", Actor.ACTOR_SUPERVISOR, "sue");
    await presence.login({ siteId, repId: "dan", teamIds: ["support"], connectionId: "dan-desk" });
    await presence.logout({ siteId, repId: "dan", actor: Actor.ACTOR_SUPERVISOR, actorId: "sue" });
    await presence.login({ siteId, repId: "eve", teamIds: ["support"], connectionId: "" });
    await waitUntil(async () => {
      const { reps, routing } = await snapshot();
      return reps.every((rep, i) => rep?.version === routing[i]?.version);
    }, 5_000);
    deadlineBefore = (await presence.heartbeat({ siteId, repId: "ann", connectionId: "ann-desk" })).nextDeadlineMs;
    before = await snapshot();

    restartMs = (await stack.restartPresence("SIGKILL", 90_000)).startMs;
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("keeps every rep's login, state and reason, who set it, capacity, skills, teams, live connections and version", async () => {
    expect(before.reps).toMatchObject([
      { state: RepState.REP_STATE_AVAILABLE, teamIds: ["support", "sales"], capacity: 3, liveConnections: 2 },
      { state: RepState.REP_STATE_AWAY, reasonCode: "lunch", liveConnections: 1 },
      { state: RepState.REP_STATE_BUSY, changedBy: Actor.ACTOR_SUPERVISOR, teamIds: ["sales"] },
      { state: RepState.REP_STATE_OFFLINE, reasonCode: "logged-out", teamIds: [], liveConnections: 0 },
      { state: RepState.REP_STATE_AVAILABLE, liveConnections: 0 },
    ]);
    expect(before.routing.map((r) => r.version)).toEqual(before.reps.map((r) => r?.version));
    expect(await snapshot()).toEqual(before);
  });

  it("keeps heartbeats working: a beat extends the connection's deadline and a new desktop adds a connection", async () => {
    const { presence } = stack;
    const { nextDeadlineMs } = await presence.heartbeat({ siteId, repId: "ann", connectionId: "ann-desk" });
    expect(nextDeadlineMs).toBeGreaterThan(deadlineBefore);
    await presence.heartbeat({ siteId, repId: "ben", connectionId: "ben-laptop" });
    expect((await presence.getRep({ siteId, repId: "ben" })).rep?.liveConnections).toBe(2);
  });

  it("pushes the first change after the restart to the acd with a higher version", async () => {
    const { presence, acd } = stack;
    const previous = before.routing[1]!.version;
    await presence.setState({
      siteId,
      repId: "ben",
      state: RepState.REP_STATE_AVAILABLE,
      reasonCode: "",
      actor: 0,
      actorId: "",
    });
    const ben = (await presence.getRep({ siteId, repId: "ben" })).rep!;
    expect(ben.version).toBeGreaterThan(previous);
    expect(await acd.getRepRouting({ siteId, repId: "ben" })).toMatchObject({
      version: ben.version,
      routableCapacity: 1,
      connected: true,
    });
  });

  it("answers again before reps heartbeating at the default 10 s × 3 lose their connections (within 20 s)", () => {
    // Default settings: a rep's last beat may be 10 s old at the crash, so his connection lives 20 s more.
    expect(restartMs).toBeLessThan(20_000);
  });
});
