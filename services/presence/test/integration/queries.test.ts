import { Actor, RepState, SessionState } from "@handoff/proto/common";
import { NotRoutableReason } from "@handoff/proto/presence_service";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../support/eventually";
import { PresenceEventLog } from "../support/presence-event-log";
import { PresenceStack } from "../support/presence-stack";
import { enqueue, newSite, putTeams, team } from "../support/site-fixture";

const { AVAILABLE, AWAY, BUSY, OFFLINE } = {
  AVAILABLE: RepState.REP_STATE_AVAILABLE,
  AWAY: RepState.REP_STATE_AWAY,
  BUSY: RepState.REP_STATE_BUSY,
  OFFLINE: RepState.REP_STATE_OFFLINE,
};
const REASON = NotRoutableReason;
/** How long an expired offer may take to reach presence (see its first use). */
const OFFER_EXPIRY_BOUND_MS = 30_000;
const CREW = ["ann", "ben", "cat", "dan", "eve", "fay"];

describe("presence queries, supervisor actions and offer expiry", () => {
  let stack: PresenceStack;
  let events: PresenceEventLog;
  beforeAll(async () => {
    [stack, events] = await Promise.all([PresenceStack.start(), PresenceEventLog.start()]);
  });
  afterAll(async () => {
    await events?.stop();
    await stack?.stop();
  });

  /** A site whose "support" team holds the crew, and "sales" holds ann and eve. */
  async function site(supportOverrides = {}): Promise<string> {
    const siteId = newSite();
    await putTeams(stack.acd, siteId, [
      team("support", { memberRepIds: CREW, ...supportOverrides }),
      team("sales", { memberRepIds: ["ann", "eve"] }),
    ]);
    return siteId;
  }
  const login = (siteId: string, repId: string, connectionId = `${repId}-desk`, teamIds = ["support"]) =>
    stack.presence.login({ siteId, repId, teamIds, connectionId });
  const setState = (siteId: string, repId: string, state: RepState, reasonCode = "", actor = 0, actorId = "") =>
    stack.presence.setState({ siteId, repId, state, reasonCode, actor, actorId });
  const getRep = async (siteId: string, repId: string) => (await stack.presence.getRep({ siteId, repId })).rep!;

  it("records who changed a state: the rep himself, a supervisor by id, and a supervisor's logout", async () => {
    const siteId = await site();
    await login(siteId, "ann");
    await login(siteId, "ben");
    await setState(siteId, "ann", AWAY, "break");
    expect(await getRep(siteId, "ann")).toMatchObject({ state: AWAY, reasonCode: "break", changedBy: Actor.ACTOR_REP });
    await setState(siteId, "ann", AVAILABLE, "", Actor.ACTOR_SUPERVISOR, "sue");
    expect(await getRep(siteId, "ann")).toMatchObject({ state: AVAILABLE, changedBy: Actor.ACTOR_SUPERVISOR });
    await stack.presence.logout({ siteId, repId: "ben", actor: Actor.ACTOR_SUPERVISOR, actorId: "sue" });
    const ben = await getRep(siteId, "ben");
    expect(ben).toMatchObject({ state: OFFLINE, reasonCode: "logged-out", changedBy: Actor.ACTOR_SUPERVISOR });
    expect(ben).toMatchObject({ teamIds: [], liveConnections: 0 });
    expect(await stack.acd.getRepRouting({ siteId, repId: "ben" })).toMatchObject({
      version: ben.version,
      routableCapacity: 0,
      connected: false,
      teamIds: [],
    });

    const changes = () =>
      events.events(siteId).flatMap(({ event: { repId, payload } }) => {
        if (payload?.$case === "repLoggedOut") return [[repId, "logged out", payload.repLoggedOut.actor]];
        if (payload?.$case !== "repStateChanged") return [];
        const { state, reasonCode, actor, actorId } = payload.repStateChanged;
        return [[repId, state, reasonCode, actor, actorId]];
      });
    await waitUntil(() => changes().length >= 6, 10_000);
    expect(changes()).toEqual([
      ["ann", AVAILABLE, "", Actor.ACTOR_REP, "ann"],
      ["ben", AVAILABLE, "", Actor.ACTOR_REP, "ben"],
      ["ann", AWAY, "break", Actor.ACTOR_REP, "ann"],
      ["ann", AVAILABLE, "", Actor.ACTOR_SUPERVISOR, "sue"],
      ["ben", "logged out", Actor.ACTOR_SUPERVISOR],
      ["ben", OFFLINE, "logged-out", Actor.ACTOR_SUPERVISOR, "sue"],
    ]);
  });

  it("lists a team's logged-in reps with state and the load the acd holds", async () => {
    const siteId = await site();
    for (const rep of ["cat", "ben", "ann"]) await login(siteId, rep);
    await login(siteId, "eve", "eve-desk", ["sales"]);
    await setState(siteId, "ben", BUSY);
    await setState(siteId, "cat", AWAY, "lunch");
    expect(await enqueue(stack.acd, siteId, "s1", "support")).toBe("ann");

    const { reps } = await stack.presence.listTeamReps({ siteId, teamId: "support" });
    expect(reps.map(({ repId, state, reasonCode, load }) => ({ repId, state, reasonCode, load }))).toEqual([
      { repId: "ann", state: AVAILABLE, reasonCode: "", load: 1 },
      { repId: "ben", state: BUSY, reasonCode: "", load: 0 },
      { repId: "cat", state: AWAY, reasonCode: "lunch", load: 0 },
    ]);
    expect(
      reps.every((rep) => rep.siteId === siteId && rep.teamIds.includes("support") && rep.liveConnections === 1),
    ).toBe(true);
  });

  it("counts a team's logged-in reps per state, a logged-out member not among them", async () => {
    const siteId = await site();
    for (const rep of CREW) await login(siteId, rep);
    await setState(siteId, "ben", AWAY, "training");
    await setState(siteId, "cat", BUSY);
    await setState(siteId, "dan", OFFLINE);
    await stack.presence.logout({ siteId, repId: "eve", actor: Actor.ACTOR_REP, actorId: "eve" });
    await setState(siteId, "fay", AWAY, "lunch", Actor.ACTOR_SUPERVISOR, "sue");
    expect(await stack.presence.countTeamStates({ siteId, teamId: "support" })).toEqual({
      available: 1,
      away: 2,
      busy: 1,
      offline: 1,
    });
    expect(await stack.presence.countTeamStates({ siteId, teamId: "sales" })).toEqual({
      available: 0,
      away: 0,
      busy: 0,
      offline: 0,
    });
  });

  it("explains every reason a rep is not routable, alone and several at once", async () => {
    const siteId = await site();
    await login(siteId, "dan");
    expect(await enqueue(stack.acd, siteId, "s1", "support")).toBe("dan");
    await login(siteId, "fay");
    expect(await enqueue(stack.acd, siteId, "s2", "support")).toBe("fay");
    const offer = await stack.acd.getSessionRouting({ siteId, sessionId: "s2" });
    await stack.acd.acceptOffer({ siteId, sessionId: "s2", repId: "fay", epoch: offer.epoch });
    await stack.presence.logout({ siteId, repId: "fay", actor: Actor.ACTOR_REP, actorId: "fay" });
    await login(siteId, "ann");
    await login(siteId, "ben");
    await setState(siteId, "ben", AWAY, "lunch");
    await login(siteId, "cat", "");
    await login(siteId, "eve");

    const explain = async (repId: string, teamId: string) => {
      const { routable, reasons } = await stack.presence.explainRoutability({ siteId, repId, teamId });
      return { routable, reasons };
    };
    expect(await explain("ann", "support")).toEqual({ routable: true, reasons: [] });
    expect(await explain("ben", "support")).toEqual({ routable: false, reasons: [REASON.NOT_ROUTABLE_REASON_STATE] });
    expect(await explain("cat", "support")).toEqual({
      routable: false,
      reasons: [REASON.NOT_ROUTABLE_REASON_NO_LIVE_CONNECTION],
    });
    expect(await explain("dan", "support")).toEqual({
      routable: false,
      reasons: [REASON.NOT_ROUTABLE_REASON_NO_FREE_CAPACITY],
    });
    expect(await explain("eve", "sales")).toEqual({
      routable: false,
      reasons: [REASON.NOT_ROUTABLE_REASON_NOT_LOGGED_IN_TO_TEAM],
    });
    expect(await explain("eve", "")).toEqual({ routable: true, reasons: [] });
    // fay logged out while she held an active session.
    expect(await explain("fay", "support")).toEqual({
      routable: false,
      reasons: [
        REASON.NOT_ROUTABLE_REASON_STATE,
        REASON.NOT_ROUTABLE_REASON_NO_LIVE_CONNECTION,
        REASON.NOT_ROUTABLE_REASON_NO_FREE_CAPACITY,
        REASON.NOT_ROUTABLE_REASON_NOT_LOGGED_IN_TO_TEAM,
      ],
    });
    expect((await stack.presence.explainRoutability({ siteId, repId: "fay", teamId: "" })).rep).toMatchObject({
      state: OFFLINE,
      load: 1,
    });
  });

  it("puts a rep whose offer expired away/not-responding until he makes himself available again", async () => {
    const siteId = await site({ offerTimeoutMs: 300 });
    await login(siteId, "ann");
    expect(await enqueue(stack.acd, siteId, "s1", "support")).toBe("ann");
    // The expiry reaches presence through Kafka: its consumer group is shared with the presence processes
    // of the other test files, and a group that lost one of them to a kill -9 holds its partitions for
    // the 10 s session timeout before it rebalances.
    const ms = await waitUntil(async () => (await getRep(siteId, "ann")).state === AWAY, OFFER_EXPIRY_BOUND_MS);
    const ann = await getRep(siteId, "ann");
    expect(ann).toMatchObject({ state: AWAY, reasonCode: "not-responding", changedBy: Actor.ACTOR_SYSTEM });
    expect(await stack.acd.getRepRouting({ siteId, repId: "ann" })).toMatchObject({
      version: ann.version,
      routableCapacity: 0,
    });
    expect(await stack.acd.getSessionRouting({ siteId, sessionId: "s1" })).toMatchObject({
      state: SessionState.SESSION_STATE_WAITING,
    });

    await setState(siteId, "ann", AVAILABLE);
    expect(await stack.acd.getSessionRouting({ siteId, sessionId: "s1" })).toMatchObject({
      state: SessionState.SESSION_STATE_OFFERED,
      repId: "ann",
    });
    await stack.acd.abandonSession({ siteId, sessionId: "s1", reason: 1 });
    console.log(`offer expiry reached presence in ${ms} ms`);
  });

  it("keeps a rep available after an expired offer when the site keeps the state, and offers him sessions again", async () => {
    const siteId = await site({ offerTimeoutMs: 300 });
    await stack.presence.putPresenceSettings({ siteId, settings: { maxCapacity: 5, keepStateOnNotResponding: true } });
    const { rep } = await login(siteId, "ann");
    expect(await enqueue(stack.acd, siteId, "s1", "support")).toBe("ann");
    const first = await stack.acd.getSessionRouting({ siteId, sessionId: "s1" });
    const reoffered = async () => {
      const routing = await stack.acd.getSessionRouting({ siteId, sessionId: "s1" });
      return routing.state === SessionState.SESSION_STATE_OFFERED && routing.epoch > first.epoch;
    };
    const ms = await waitUntil(reoffered, OFFER_EXPIRY_BOUND_MS);
    expect(await stack.acd.getSessionRouting({ siteId, sessionId: "s1" })).toMatchObject({
      state: SessionState.SESSION_STATE_OFFERED,
      repId: "ann",
      epoch: expect.toSatisfy((epoch: number) => epoch > first.epoch) as unknown,
    });
    await stack.acd.abandonSession({ siteId, sessionId: "s1", reason: 1 });
    const ann = await getRep(siteId, "ann");
    expect(ann).toMatchObject({ state: AVAILABLE, reasonCode: "", changedBy: Actor.ACTOR_REP });
    expect(ann.version).toBeGreaterThan(rep!.version);
    console.log(`offer re-offered after presence kept the rep available in ${ms} ms`);
  });
});
