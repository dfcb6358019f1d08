import { status } from "@grpc/grpc-js";
import { Actor, RepState } from "@handoff/proto/common";
import type { Presence } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { refusal } from "@handoff/testing";
import { PresenceStack } from "../support/presence-stack";
import { newSite, putTeams, team } from "../support/site-fixture";

type Call = (presence: Presence, siteId: string) => Promise<unknown>;

const setState =
  (overrides: Record<string, unknown>): Call =>
  (presence, siteId) =>
    presence.setState({
      siteId,
      repId: "ann",
      state: RepState.REP_STATE_AWAY,
      reasonCode: "lunch",
      actor: 0,
      actorId: "",
      ...overrides,
    });
const setCapacity =
  (overrides: Record<string, unknown>): Call =>
  (presence, siteId) =>
    presence.setCapacity({ siteId, repId: "ann", capacity: 2, skills: [], ...overrides });
const login =
  (overrides: Record<string, unknown>): Call =>
  (presence, siteId) =>
    presence.login({ siteId, repId: "ann", teamIds: ["support"], connectionId: "ann-desk", ...overrides });

describe("presence bad input", () => {
  const siteId = newSite();
  let stack: PresenceStack;
  beforeAll(async () => {
    stack = await PresenceStack.start();
    await putTeams(stack.acd, siteId, [
      team("support", { memberRepIds: ["ann", "ben"] }),
      team("sales", { memberRepIds: ["ben"] }),
    ]);
    await stack.presence.login({ siteId, repId: "ann", teamIds: ["support"], connectionId: "ann-desk" });
    await stack.presence.setCapacity({ siteId, repId: "ann", capacity: 2, skills: ["french"] });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each<[string, string, Call]>([
    ["GetRep of a rep never seen", "rep_id", (p, siteId) => p.getRep({ siteId, repId: "nobody" })],
    ["SetState of a rep never seen", "rep_id", setState({ repId: "nobody" })],
    [
      "Logout of a rep never seen",
      "rep_id",
      (p, siteId) => p.logout({ siteId, repId: "nobody", actor: Actor.ACTOR_SUPERVISOR, actorId: "sue" }),
    ],
    [
      "ExplainRoutability of a rep never seen",
      "rep_id",
      (p, siteId) => p.explainRoutability({ siteId, repId: "nobody", teamId: "" }),
    ],
    ["a login to a team not in the routing config", "team_ids", login({ teamIds: ["nope"] })],
    ["a login to a team he is not a member of", "team_ids", login({ teamIds: ["support", "sales"] })],
    ["a login to no team", "team_ids", login({ teamIds: [] })],
    ["a login naming a team twice", "team_ids", login({ teamIds: ["support", "support"] })],
    ["a login with an empty team id", "team_ids[0]", login({ teamIds: [""] })],
    ["capacity 0", "capacity", setCapacity({ capacity: 0 })],
    ["a negative capacity", "capacity", setCapacity({ capacity: -1 })],
    ["capacity above the site's maximum of 5", "capacity", setCapacity({ capacity: 6 })],
    ["capacity above 100", "capacity", setCapacity({ capacity: 101 })],
    ["state 0 (unspecified)", "state", setState({ state: 0 })],
    ["state 99 (unknown)", "state", setState({ state: 99 })],
    ["an upper-case reason code", "reason_code", setState({ reasonCode: "Lunch" })],
    ["a reason code with spaces", "reason_code", setState({ reasonCode: "long lunch" })],
    ["a reason code of 41 characters", "reason_code", setState({ reasonCode: "x".repeat(41) })],
    ["an empty rep id", "rep_id", setState({ repId: "" })],
    ["a rep id of 129 characters", "rep_id", setState({ repId: "r".repeat(129) })],
    ["a rep id with key characters", "rep_id", (p, siteId) => p.getRep({ siteId, repId: "ann}{x" })],
    ["an empty site id", "site_id", (p) => p.getRep({ siteId: "", repId: "ann" })],
    ["an oversize site id", "site_id", (p) => p.getRep({ siteId: "s".repeat(129), repId: "ann" })],
    ["an oversize connection id", "connection_id", login({ connectionId: "c".repeat(129) })],
    [
      "an empty heartbeat connection id",
      "connection_id",
      (p, siteId) => p.heartbeat({ siteId, repId: "ann", connectionId: "" }),
    ],
    ["an empty skill", "skills[0]", setCapacity({ skills: [""] })],
    ["an oversize actor id", "actor_id", setState({ actor: Actor.ACTOR_SUPERVISOR, actorId: "a".repeat(129) })],
    // An open enum decodes any number: unknown ones were stored and published as -1 (UNRECOGNIZED).
    ["a SetState by actor 99 (unknown)", "actor", setState({ actor: 99 })],
    ["a SetState by actor -1 (UNRECOGNIZED)", "actor", setState({ actor: -1 })],
    [
      "a Logout by actor 99 (unknown)",
      "actor",
      (p, siteId) => p.logout({ siteId, repId: "ann", actor: 99 as Actor, actorId: "sue" }),
    ],
    ["ListTeamReps of an unknown team", "team_id", (p, siteId) => p.listTeamReps({ siteId, teamId: "nope" })],
    ["ListTeamReps with an empty team id", "team_id", (p, siteId) => p.listTeamReps({ siteId, teamId: "" })],
    ["CountTeamStates of an unknown team", "team_id", (p, siteId) => p.countTeamStates({ siteId, teamId: "nope" })],
    [
      "ExplainRoutability for an unknown team",
      "team_id",
      (p, siteId) => p.explainRoutability({ siteId, repId: "ann", teamId: "nope" }),
    ],
  ])("refuses %s as INVALID_ARGUMENT naming %s and leaves the rep untouched", async (_case, field, call) => {
    const before = await stack.presence.getRep({ siteId, repId: "ann" });
    const error = await refusal(call(stack.presence, siteId));
    expect({ code: error.code, field: error.metadata.get("field")[0] }).toEqual({
      code: status.INVALID_ARGUMENT,
      field,
    });
    expect(error.details.startsWith(`${field}: `)).toBe(true);
    expect(await stack.presence.getRep({ siteId, repId: "ann" })).toEqual(before);
  });

  it.each<[string, string, Call]>([
    ["a login", "team_ids", (p, siteId) => p.login({ siteId, repId: "ann", teamIds: ["support"], connectionId: "" })],
    ["ListTeamReps", "team_id", (p, siteId) => p.listTeamReps({ siteId, teamId: "support" })],
    ["CountTeamStates", "team_id", (p, siteId) => p.countTeamStates({ siteId, teamId: "support" })],
  ])("refuses %s at a site with no routing config as INVALID_ARGUMENT naming %s", async (_case, field, call) => {
    const error = await refusal(call(stack.presence, newSite()));
    expect({ code: error.code, details: error.details }).toEqual({
      code: status.INVALID_ARGUMENT,
      details: `${field}: team support is not in the site's routing config`,
    });
  });

  it("names the routing config's team in a refused login, and says whether it exists", async () => {
    const unknown = await refusal(login({ teamIds: ["nope"] })(stack.presence, siteId));
    expect(unknown.details).toBe("team_ids: team nope is not in the site's routing config");
    const notMember = await refusal(login({ teamIds: ["sales"] })(stack.presence, siteId));
    expect(notMember.details).toBe("team_ids: rep ann is not a member of team sales");
  });

  it("bounds capacity by the site's own maximum once PutPresenceSettings lowers it", async () => {
    const site = newSite();
    await putTeams(stack.acd, site, [team("support", { memberRepIds: ["ann"] })]);
    await stack.presence.login({ siteId: site, repId: "ann", teamIds: ["support"], connectionId: "ann-desk" });
    await stack.presence.putPresenceSettings({
      siteId: site,
      settings: { maxCapacity: 2, keepStateOnNotResponding: false },
    });
    const before = await stack.presence.getRep({ siteId: site, repId: "ann" });
    const error = await refusal(setCapacity({ capacity: 3 })(stack.presence, site));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toBe("capacity: capacity 3 is above the site's maximum of 2");
    expect(await stack.presence.getRep({ siteId: site, repId: "ann" })).toEqual(before);
    expect((await setCapacity({ capacity: 2 })(stack.presence, site)) as object).toMatchObject({
      rep: { capacity: 2 },
    });
  });

  it.each([0, 101])(
    "refuses site settings with a maximum capacity of %i, naming settings.max_capacity",
    async (maxCapacity) => {
      const error = await refusal(
        stack.presence.putPresenceSettings({ siteId, settings: { maxCapacity, keepStateOnNotResponding: false } }),
      );
      expect({ code: error.code, details: error.details }).toMatchObject({
        code: status.INVALID_ARGUMENT,
        details: expect.stringMatching(/^settings\.max_capacity: /) as unknown,
      });
    },
  );

  it("keeps what the acd holds for the rep through all the refused calls", async () => {
    const rep = (await stack.presence.getRep({ siteId, repId: "ann" })).rep!;
    expect(rep).toMatchObject({
      state: RepState.REP_STATE_AVAILABLE,
      capacity: 2,
      skills: ["french"],
      teamIds: ["support"],
    });
    expect(await stack.acd.getRepRouting({ siteId, repId: "ann" })).toMatchObject({
      version: rep.version,
      routableCapacity: 2,
      connected: true,
      teamIds: ["support"],
    });
  });
});
