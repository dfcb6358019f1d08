import { describe, expect, it } from "vitest";
import { RoutingConfigInvalidError } from "../../src/domain/errors";
import { DEFAULT_OFFER_TIMEOUT_MS, MAX_PROBLEM_TYPES, MAX_TEAMS } from "../../src/domain/limits";
import {
  validateRoutingConfig,
  type ProblemTypeConfigInput,
  type RoutingConfigInput,
  type TeamConfigInput,
} from "../../src/domain/routing-config";

function team(id: string, extra: Partial<TeamConfigInput> = {}): TeamConfigInput {
  return { id, name: `Team ${id}`, ...extra };
}

function problemType(id: string, teamId: string, extra: Partial<ProblemTypeConfigInput> = {}): ProblemTypeConfigInput {
  return { id, label: `Problem ${id}`, teamId, ...extra };
}

/** A valid config: three teams, one overflowing into the others, and two problem types. */
function validConfig(): RoutingConfigInput {
  return {
    teams: [
      team("first-line", {
        strategy: "least_busy",
        offerTimeoutMs: 20_000,
        overflow: [
          { afterMs: 60_000, addTeamIds: ["second-line"], priorityIncrease: 0 },
          { afterMs: 120_000, addTeamIds: [], priorityIncrease: 50 },
        ],
        transferKeepsWaitTime: true,
        transferPriorityBoost: 10,
      }),
      team("second-line"),
      team("billing", { strategy: "manual" }),
    ],
    problemTypes: [
      problemType("printer", "first-line", { priority: 100, requiredSkills: ["printers", "windows"] }),
      problemType("invoice", "billing"),
    ],
  };
}

function refusal(input: RoutingConfigInput): RoutingConfigInvalidError {
  try {
    validateRoutingConfig(input);
  } catch (error) {
    if (error instanceof RoutingConfigInvalidError) return error;
    throw error;
  }
  throw new Error("the config was accepted");
}

function withTeam(index: number, change: Partial<TeamConfigInput>): RoutingConfigInput {
  const config = validConfig();
  const teams = [...config.teams];
  teams[index] = { ...teams[index]!, ...change };
  return { ...config, teams };
}

function withProblemType(index: number, change: Partial<ProblemTypeConfigInput>): RoutingConfigInput {
  const config = validConfig();
  const problemTypes = [...(config.problemTypes ?? [])];
  problemTypes[index] = { ...problemTypes[index]!, ...change };
  return { ...config, problemTypes };
}

const step = (afterMs: number, addTeamIds: string[] = [], priorityIncrease = 0) => ({
  afterMs,
  addTeamIds,
  priorityIncrease,
});

describe("validateRoutingConfig", () => {
  it("accepts a valid config and keeps every field", () => {
    const config = validateRoutingConfig(validConfig());
    expect(config.teams[0]).toEqual({
      id: "first-line",
      name: "Team first-line",
      strategy: "least_busy",
      offerTimeoutMs: 20_000,
      overflow: [
        { afterMs: 60_000, addTeamIds: ["second-line"], priorityIncrease: 0 },
        { afterMs: 120_000, addTeamIds: [], priorityIncrease: 50 },
      ],
      transferKeepsWaitTime: true,
      transferPriorityBoost: 10,
      memberRepIds: [],
    });
    expect(config.problemTypes[0]).toEqual({
      id: "printer",
      label: "Problem printer",
      teamId: "first-line",
      priority: 100,
      requiredSkills: ["printers", "windows"],
    });
  });

  it("keeps a team's members and refuses a bad or repeated member id, naming it", () => {
    const members = validateRoutingConfig({ teams: [team("a", { memberRepIds: ["ann", "ben"] })] });
    expect(members.teams[0]!.memberRepIds).toEqual(["ann", "ben"]);
    expect(() => validateRoutingConfig({ teams: [team("a", { memberRepIds: ["ann", "ann"] })] })).toThrow(
      "config.teams[0].member_rep_ids[1]",
    );
    expect(() => validateRoutingConfig({ teams: [team("a", { memberRepIds: ["a b"] })] })).toThrow(
      "config.teams[0].member_rep_ids[0]",
    );
  });

  it("defaults the strategy to longest_idle and the offer timeout to 30 s when unset or 0", () => {
    const config = validateRoutingConfig({ teams: [team("a"), team("b", { offerTimeoutMs: 0 })] });
    expect(config.teams.map((t) => t.strategy)).toEqual(["longest_idle", "longest_idle"]);
    expect(config.teams.map((t) => t.offerTimeoutMs)).toEqual([DEFAULT_OFFER_TIMEOUT_MS, DEFAULT_OFFER_TIMEOUT_MS]);
    expect(config.teams[0]).toMatchObject({ overflow: [], transferKeepsWaitTime: false, transferPriorityBoost: 0 });
    expect(config.problemTypes).toEqual([]);
  });

  it("lets a team overflow into a team listed after it", () => {
    const config = validateRoutingConfig({
      teams: [team("a", { overflow: [step(1000, ["b"])] }), team("b")],
    });
    expect(config.teams[0]?.overflow[0]?.addTeamIds).toEqual(["b"]);
  });

  it("does not share arrays with its input", () => {
    const input = validConfig();
    const config = validateRoutingConfig(input);
    config.problemTypes[0]?.requiredSkills.push("linux");
    expect(input.problemTypes?.[0]?.requiredSkills).toEqual(["printers", "windows"]);
  });

  const badConfigs: [string, () => RoutingConfigInput, string, RegExp][] = [
    ["no teams", () => ({ teams: [] }), "config.teams", /at least one team/],
    [
      "too many teams",
      () => ({ teams: Array.from({ length: MAX_TEAMS + 1 }, (_, i) => team(`t${i}`)) }),
      "config.teams",
      /at most 500/,
    ],
    [
      "too many problem types",
      () => ({
        teams: [team("a")],
        problemTypes: Array.from({ length: MAX_PROBLEM_TYPES + 1 }, (_, i) => problemType(`p${i}`, "a")),
      }),
      "config.problem_types",
      /at most 2000/,
    ],
    ["an empty team id", () => withTeam(1, { id: "" }), "config.teams[1].id", /must not be empty/],
    ["a team id with a brace", () => withTeam(2, { id: "a{b}" }), "config.teams[2].id", /letters, digits/],
    ["a team id with a comma", () => withTeam(0, { id: "a,b" }), "config.teams[0].id", /letters, digits/],
    ["a team id with a space", () => withTeam(0, { id: "a b" }), "config.teams[0].id", /letters, digits/],
    ["a team id with a pipe", () => withTeam(0, { id: "a|b" }), "config.teams[0].id", /letters, digits/],
    ["a team id of 129 characters", () => withTeam(1, { id: "x".repeat(129) }), "config.teams[1].id", /128/],
    [
      "a duplicate team id",
      () => withTeam(2, { id: "first-line" }),
      "config.teams[2].id",
      /duplicates config\.teams\[0\]\.id/,
    ],
    ["an empty team name", () => withTeam(1, { name: "  " }), "config.teams[1].name", /must not be empty/],
    ["a team name of 201 characters", () => withTeam(1, { name: "n".repeat(201) }), "config.teams[1].name", /200/],
    [
      "an unknown strategy",
      () => withTeam(1, { strategy: "random" as never }),
      "config.teams[1].strategy",
      /longest_idle, least_busy, round_robin, manual/,
    ],
    [
      "an offer timeout below 100 ms",
      () => withTeam(2, { offerTimeoutMs: 99 }),
      "config.teams[2].offer_timeout_ms",
      /between 100 and 600000/,
    ],
    [
      "an offer timeout above 10 min",
      () => withTeam(2, { offerTimeoutMs: 600_001 }),
      "config.teams[2].offer_timeout_ms",
      /between/,
    ],
    [
      "a negative offer timeout",
      () => withTeam(0, { offerTimeoutMs: -5 }),
      "config.teams[0].offer_timeout_ms",
      /between/,
    ],
    [
      "a fractional offer timeout",
      () => withTeam(0, { offerTimeoutMs: 1000.5 }),
      "config.teams[0].offer_timeout_ms",
      /integer/,
    ],
    [
      "a negative transfer boost",
      () => withTeam(1, { transferPriorityBoost: -1 }),
      "config.teams[1].transfer_priority_boost",
      /between 0 and 1000/,
    ],
    [
      "a transfer boost above 1000",
      () => withTeam(1, { transferPriorityBoost: 1001 }),
      "config.teams[1].transfer_priority_boost",
      /between 0 and 1000/,
    ],
    [
      "nine overflow steps",
      () => withTeam(1, { overflow: Array.from({ length: 9 }, (_, i) => step((i + 1) * 1000, [], 1)) }),
      "config.teams[1].overflow",
      /at most 8/,
    ],
    [
      "an overflow step at 0 ms",
      () => withTeam(1, { overflow: [step(0, [], 5)] }),
      "config.teams[1].overflow[0].after_ms",
      /between 1 and/,
    ],
    [
      "overflow steps out of order",
      () => withTeam(1, { overflow: [step(5000, [], 5), step(5000, ["billing"])] }),
      "config.teams[1].overflow[1].after_ms",
      /greater than the previous step's after_ms \(5000\)/,
    ],
    [
      "an overflow into an unknown team",
      () => withTeam(1, { overflow: [step(1000, ["billing", "nobody"])] }),
      "config.teams[1].overflow[0].add_team_ids[1]",
      /team nobody is not in config\.teams/,
    ],
    [
      "an overflow into the team itself",
      () => withTeam(1, { overflow: [step(1000, ["second-line"])] }),
      "config.teams[1].overflow[0].add_team_ids[0]",
      /into itself/,
    ],
    [
      "an overflow naming a team twice",
      () => withTeam(1, { overflow: [step(1000, ["billing", "billing"])] }),
      "config.teams[1].overflow[0].add_team_ids[1]",
      /listed twice/,
    ],
    [
      "an overflow step that does nothing",
      () => withTeam(0, { overflow: [step(1000, ["billing"]), step(2000)] }),
      "config.teams[0].overflow[1]",
      /add teams or raise the priority/,
    ],
    [
      "an overflow priority increase above 1000",
      () => withTeam(0, { overflow: [step(1000, [], 1001)] }),
      "config.teams[0].overflow[0].priority_increase",
      /between 0 and 1000/,
    ],
    [
      "an empty problem type id",
      () => withProblemType(1, { id: "" }),
      "config.problem_types[1].id",
      /must not be empty/,
    ],
    [
      "a duplicate problem type id",
      () => withProblemType(1, { id: "printer" }),
      "config.problem_types[1].id",
      /duplicates config\.problem_types\[0\]\.id/,
    ],
    [
      "an empty problem type label",
      () => withProblemType(0, { label: "" }),
      "config.problem_types[0].label",
      /must not be empty/,
    ],
    [
      "a problem type of an unknown team",
      () => withProblemType(0, { teamId: "nobody" }),
      "config.problem_types[0].team_id",
      /not in config\.teams/,
    ],
    [
      "a problem type without a team",
      () => withProblemType(1, { teamId: "" }),
      "config.problem_types[1].team_id",
      /must not be empty/,
    ],
    [
      "a negative priority",
      () => withProblemType(1, { priority: -1 }),
      "config.problem_types[1].priority",
      /between 0 and 1000, got -1/,
    ],
    [
      "a priority above 1000",
      () => withProblemType(0, { priority: 1001 }),
      "config.problem_types[0].priority",
      /between 0 and 1000/,
    ],
    [
      "a fractional priority",
      () => withProblemType(0, { priority: 2.5 }),
      "config.problem_types[0].priority",
      /integer/,
    ],
    [
      "an empty skill",
      () => withProblemType(0, { requiredSkills: ["printers", ""] }),
      "config.problem_types[0].required_skills[1]",
      /must not be empty/,
    ],
    [
      "a skill with a comma",
      () => withProblemType(0, { requiredSkills: ["a,b"] }),
      "config.problem_types[0].required_skills[0]",
      /letters, digits/,
    ],
    [
      "a skill listed twice",
      () => withProblemType(0, { requiredSkills: ["printers", "windows", "printers"] }),
      "config.problem_types[0].required_skills[2]",
      /listed twice/,
    ],
    [
      "33 skills",
      () => withProblemType(0, { requiredSkills: Array.from({ length: 33 }, (_, i) => `skill-${i}`) }),
      "config.problem_types[0].required_skills",
      /at most 32/,
    ],
  ];

  it.each(badConfigs)("refuses %s, naming the field", (_case, build, field, message) => {
    const error = refusal(build());
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
    expect(error.kind).toBe("routing_config_invalid");
  });
});
