import { status } from "@grpc/grpc-js";
import { SessionState, type RoutingStrategy } from "@handoff/proto/common";
import { infrastructureEnv, refusal, startService, type ServiceProcess } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectAcd, type Acd } from "../support/acd-client";
import { newSite, repOnline, repTarget, team, teamTarget } from "../support/routing-fixture";

describe("acd bad input", () => {
  let service: ServiceProcess;
  let acd: Acd;
  let siteId: string;
  beforeAll(async () => {
    const { REDIS_URL, KAFKA_BROKERS } = infrastructureEnv();
    service = await startService("acd", { REDIS_URL, KAFKA_BROKERS });
    acd = connectAcd(`127.0.0.1:${service.grpcPort}`);
    siteId = newSite();
    await acd.putRoutingConfig({ siteId, config: { teams: [team("support")], problemTypes: [], version: 0 } });
    await repOnline(acd, siteId, "alice", ["support"], 0);
    await acd.enqueueSession({
      siteId,
      sessionId: "kept",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 3,
      requiredSkills: [],
    });
  });
  afterAll(async () => {
    acd.close();
    await service.stop();
  });

  const enqueue = (overrides: Record<string, unknown>) =>
    acd.enqueueSession({
      siteId,
      sessionId: "new",
      target: teamTarget("support"),
      problemTypeId: "",
      priority: 0,
      requiredSkills: [],
      ...overrides,
    });

  it.each([
    ["an empty site id", { siteId: "" }, "site_id"],
    ["an unknown site", { siteId: "no-such-site" }, "site_id"],
    ["an empty session id", { sessionId: "" }, "session_id"],
    ["an oversize session id", { sessionId: "s".repeat(129) }, "session_id"],
    ["a session id with key characters", { sessionId: "a{b}" }, "session_id"],
    ["a negative priority", { priority: -1 }, "priority"],
    ["a priority above the maximum", { priority: 1001 }, "priority"],
    ["an unknown team", { target: teamTarget("nope") }, "target.team_id"],
    ["an unknown rep", { target: repTarget("nobody") }, "target.rep_id"],
    ["no target and no problem type", { target: undefined }, "target"],
    ["an unknown problem type", { target: undefined, problemTypeId: "nope" }, "problem_type_id"],
    ["an empty skill", { requiredSkills: [""] }, "required_skills[0]"],
  ])("refuses an enqueue with %s as INVALID_ARGUMENT naming %s", async (_case, overrides, field) => {
    const error = await refusal(enqueue(overrides));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain(field);
  });

  it("refuses a whole routing config naming the bad field, and keeps the old one", async () => {
    const error = await refusal(
      acd.putRoutingConfig({
        siteId,
        config: { teams: [team("support"), team("billing", { offerTimeoutMs: -5 })], problemTypes: [], version: 0 },
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain("config.teams[1].offer_timeout_ms");
    const { config } = await acd.getRoutingConfig({ siteId });
    expect(config!.teams.map((t) => t.id)).toEqual(["support"]);
  });

  it.each([
    ["a control character", "Sup\u0007port"],
    ["a newline", "Support\nTeam"],
    ["a right-to-left override", "Support\u202etxt.exe"],
    ["a bidi isolate", "\u2066Support\u2069"],
    ["201 characters", "é".repeat(201)],
    ["only spaces", "   "],
  ])("refuses a team name with %s as INVALID_ARGUMENT naming it, and keeps the old config", async (_case, name) => {
    const error = await refusal(
      acd.putRoutingConfig({
        siteId,
        config: { teams: [team("support"), team("billing", { name })], problemTypes: [], version: 0 },
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain("config.teams[1].name");
    const { config } = await acd.getRoutingConfig({ siteId });
    expect(config!.teams.map((t) => t.id)).toEqual(["support"]);
  });

  it("refuses a team strategy the contract does not name instead of routing it by the default", async () => {
    const error = await refusal(
      acd.putRoutingConfig({
        siteId,
        config: {
          teams: [team("support"), team("billing", { strategy: 99 as RoutingStrategy })],
          problemTypes: [],
          version: 0,
        },
      }),
    );
    expect({ code: error.code, field: error.metadata.get("field")[0] }).toEqual({
      code: status.INVALID_ARGUMENT,
      field: "config.teams[1].strategy",
    });
    const { config } = await acd.getRoutingConfig({ siteId });
    expect(config!.teams.map((t) => t.id)).toEqual(["support"]);
  });

  it("counts a name's length in characters, not UTF-16 units, and refuses bidi controls in labels too", async () => {
    const other = newSite();
    // 200 emoji are 400 UTF-16 units but 200 characters: within the bound.
    const name = "👍".repeat(200);
    await acd.putRoutingConfig({
      siteId: other,
      config: { teams: [team("fans", { name })], problemTypes: [], version: 0 },
    });
    expect((await acd.getRoutingConfig({ siteId: other })).config!.teams[0]!.name).toBe(name);
    const error = await refusal(
      acd.putRoutingConfig({
        siteId: other,
        config: {
          teams: [team("fans", { name })],
          problemTypes: [{ id: "p", label: "Printer\u202e", teamId: "fans", priority: 0, requiredSkills: [] }],
          version: 0,
        },
      }),
    );
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toContain("config.problem_types[0].label");
  });

  // The contract's int64 fields are JavaScript numbers: beyond 2^53 - 1 they do not decode, which grpc-js
  // used to answer with INTERNAL "Error deserializing request".
  const beyondSafe = (2n ** 53n) as unknown as number;
  const farBelowSafe = -(2n ** 62n) as unknown as number;
  it.each<[string, string, () => Promise<unknown>]>([
    [
      "a capacity version of 2^53",
      "version",
      () =>
        acd.setRepCapacity({
          siteId,
          repId: "alice",
          teamIds: ["support"],
          skills: [],
          routableCapacity: 1,
          version: beyondSafe,
          connected: true,
        }),
    ],
    [
      "an accept epoch of -2^62",
      "epoch",
      () => acd.acceptOffer({ siteId, sessionId: "kept", repId: "alice", epoch: farBelowSafe }),
    ],
    [
      "a nested overflow step's after_ms of 2^53",
      "config.teams[1].overflow[0].after_ms",
      () =>
        acd.putRoutingConfig({
          siteId,
          config: {
            teams: [
              team("support"),
              team("billing", { overflow: [{ afterMs: beyondSafe, addTeamIds: ["support"], priorityIncrease: 0 }] }),
            ],
            problemTypes: [],
            version: 0,
          },
        }),
    ],
  ])("refuses %s as INVALID_ARGUMENT naming %s, not INTERNAL", async (_case, field, call) => {
    const error = await refusal(call());
    expect({ code: error.code, field: error.metadata.get("field")[0] }).toEqual({
      code: status.INVALID_ARGUMENT,
      field,
    });
    expect(error.details).toBe(`${field}: must be an integer between -(2^53 - 1) and 2^53 - 1`);
  });

  it("refuses capacity updates out of bounds, and leaves out teams the config does not have", async () => {
    const base = {
      siteId,
      repId: "alice",
      teamIds: ["support"],
      skills: [],
      connected: true,
      version: 9_000,
    };
    expect((await refusal(acd.setRepCapacity({ ...base, routableCapacity: -1 }))).details).toContain(
      "routable_capacity",
    );
    expect(
      (await refusal(acd.setRepCapacity({ ...base, routableCapacity: 0, teamIds: ["bad team"] }))).details,
    ).toContain("team_ids[0]");
    // Presence may still list a team removed from the config a moment ago: the update applies without it.
    await acd.setRepCapacity({
      ...base,
      routableCapacity: 0,
      teamIds: ["support", "ghost"],
      version: base.version - 1,
    });
    expect((await acd.getRepRouting({ siteId, repId: "alice" })).teamIds).toEqual(["support"]);
    expect((await refusal(acd.setRepCapacity({ ...base, routableCapacity: 1, version: 0 }))).details).toContain(
      "version",
    );
  });

  it("refuses accept with an empty rep or a zero epoch, and pull for an unknown rep", async () => {
    expect((await refusal(acd.acceptOffer({ siteId, sessionId: "kept", repId: "", epoch: 1 }))).details).toContain(
      "rep_id",
    );
    expect((await refusal(acd.acceptOffer({ siteId, sessionId: "kept", repId: "alice", epoch: 0 }))).details).toContain(
      "epoch",
    );
    const pull = await refusal(acd.pullNextSession({ siteId, repId: "stranger" }));
    expect(pull.code).toBe(status.INVALID_ARGUMENT);
    expect(pull.details).toContain("rep_id");
  });

  it("leaves routing state untouched after every refusal", async () => {
    const kept = await acd.getSessionRouting({ siteId, sessionId: "kept" });
    expect(kept).toMatchObject({ state: SessionState.SESSION_STATE_WAITING, priority: 3, epoch: 0 });
    expect((await acd.getQueuePosition({ siteId, sessionId: "kept", recordEstimate: false })).position).toMatchObject({
      position: 1,
      queueLength: 1,
    });
    const missing = await refusal(acd.getSessionRouting({ siteId, sessionId: "new" }));
    expect(missing.code).toBe(status.NOT_FOUND);
  });
});
