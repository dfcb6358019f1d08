import { displayNameProblem } from "@handoff/runtime/fields";
import { RoutingConfigInvalidError } from "./errors";
import {
  DEFAULT_OFFER_TIMEOUT_MS,
  ID_PATTERN,
  MAX_ID_LENGTH,
  MAX_LABEL_LENGTH,
  MAX_OFFER_TIMEOUT_MS,
  MAX_OVERFLOW_STEPS,
  MAX_PRIORITY,
  MAX_PROBLEM_TYPES,
  MAX_TEAM_MEMBERS,
  MAX_SKILLS,
  MAX_TEAMS,
  MIN_OFFER_TIMEOUT_MS,
} from "./limits";

export type RoutingStrategy = "longest_idle" | "least_busy" | "round_robin" | "manual";

export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ["longest_idle", "least_busy", "round_robin", "manual"];

/** After `afterMs` in its queue a session also becomes eligible for `addTeamIds` and/or gains priority. */
export interface OverflowStep {
  afterMs: number;
  addTeamIds: string[];
  priorityIncrease: number;
}

export interface TeamConfig {
  id: string;
  name: string;
  strategy: RoutingStrategy;
  offerTimeoutMs: number;
  /** Ordered by `afterMs`, strictly increasing. */
  overflow: OverflowStep[];
  /** A session transferred into this team keeps its original enqueue time for ordering. */
  transferKeepsWaitTime: boolean;
  /** Priority added to a session transferred into this team. */
  transferPriorityBoost: number;
  /** The reps who may log in to this team. */
  memberRepIds: string[];
}

export interface ProblemTypeConfig {
  id: string;
  label: string;
  teamId: string;
  priority: number;
  requiredSkills: string[];
}

export interface RoutingConfig {
  teams: TeamConfig[];
  problemTypes: ProblemTypeConfig[];
}

/** What an admin sends; each omitted field takes the default noted on it. */
export interface TeamConfigInput {
  id: string;
  name: string;
  /** @default "longest_idle" (also for proto's UNSPECIFIED) */
  strategy?: RoutingStrategy | undefined;
  /** @default DEFAULT_OFFER_TIMEOUT_MS (also for 0, proto's "not set") */
  offerTimeoutMs?: number | undefined;
  /** @default [] */
  overflow?: readonly OverflowStep[] | undefined;
  /** @default false */
  transferKeepsWaitTime?: boolean | undefined;
  /** @default 0 */
  transferPriorityBoost?: number | undefined;
  /** @default [] */
  memberRepIds?: readonly string[] | undefined;
}

export interface ProblemTypeConfigInput {
  id: string;
  label: string;
  teamId: string;
  /** @default 0 */
  priority?: number | undefined;
  /** @default [] */
  requiredSkills?: readonly string[] | undefined;
}

export interface RoutingConfigInput {
  teams: readonly TeamConfigInput[];
  /** @default [] */
  problemTypes?: readonly ProblemTypeConfigInput[] | undefined;
}

const refuse = (field: string, problem: string): never => {
  throw new RoutingConfigInvalidError(field, problem);
};

function checkId(field: string, value: unknown): string {
  if (typeof value !== "string" || value.length === 0) return refuse(field, "must not be empty");
  if (value.length > MAX_ID_LENGTH) return refuse(field, `must be at most ${MAX_ID_LENGTH} characters`);
  if (!ID_PATTERN.test(value)) return refuse(field, "may hold only letters, digits and _ . : @ -");
  return value;
}

function checkLabel(field: string, value: unknown): string {
  if (typeof value !== "string") return refuse(field, "must not be empty");
  const problem = displayNameProblem(value, MAX_LABEL_LENGTH);
  return problem ? refuse(field, problem) : value;
}

function checkInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) return refuse(field, "must be an integer");
  if (value < min || value > max) return refuse(field, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function checkCount(field: string, items: readonly unknown[], max: number): void {
  if (items.length > max) refuse(field, `must hold at most ${max} entries, got ${items.length}`);
}

function checkOverflow(
  path: string,
  teamId: string,
  steps: readonly OverflowStep[],
  teamIds: ReadonlySet<string>,
): OverflowStep[] {
  checkCount(path, steps, MAX_OVERFLOW_STEPS);
  let previousAfterMs = 0;
  return steps.map((step, s) => {
    const at = `${path}[${s}]`;
    const afterMs = checkInteger(`${at}.after_ms`, step.afterMs, 1, Number.MAX_SAFE_INTEGER);
    if (afterMs <= previousAfterMs) {
      refuse(`${at}.after_ms`, `must be greater than the previous step's after_ms (${previousAfterMs})`);
    }
    previousAfterMs = afterMs;
    const addTeamIds = step.addTeamIds ?? [];
    const seen = new Set<string>();
    addTeamIds.forEach((added, t) => {
      const field = `${at}.add_team_ids[${t}]`;
      checkId(field, added);
      if (added === teamId) refuse(field, "a team cannot overflow into itself");
      if (!teamIds.has(added)) refuse(field, `team ${added} is not in config.teams`);
      if (seen.has(added)) refuse(field, `team ${added} is listed twice`);
      seen.add(added);
    });
    const priorityIncrease = checkInteger(`${at}.priority_increase`, step.priorityIncrease ?? 0, 0, MAX_PRIORITY);
    if (addTeamIds.length === 0 && priorityIncrease === 0) {
      refuse(at, "a step must add teams or raise the priority");
    }
    return { afterMs, addTeamIds: [...addTeamIds], priorityIncrease };
  });
}

function checkTeam(path: string, team: TeamConfigInput, teamIds: ReadonlySet<string>): TeamConfig {
  const strategy = team.strategy ?? "longest_idle";
  if (!ROUTING_STRATEGIES.includes(strategy)) {
    refuse(`${path}.strategy`, `must be one of ${ROUTING_STRATEGIES.join(", ")}`);
  }
  const offerTimeoutMs = checkInteger(
    `${path}.offer_timeout_ms`,
    team.offerTimeoutMs || DEFAULT_OFFER_TIMEOUT_MS,
    MIN_OFFER_TIMEOUT_MS,
    MAX_OFFER_TIMEOUT_MS,
  );
  return {
    id: team.id,
    name: checkLabel(`${path}.name`, team.name),
    strategy,
    offerTimeoutMs,
    overflow: checkOverflow(`${path}.overflow`, team.id, team.overflow ?? [], teamIds),
    transferKeepsWaitTime: team.transferKeepsWaitTime ?? false,
    transferPriorityBoost: checkInteger(
      `${path}.transfer_priority_boost`,
      team.transferPriorityBoost ?? 0,
      0,
      MAX_PRIORITY,
    ),
    memberRepIds: checkMembers(`${path}.member_rep_ids`, team.memberRepIds ?? []),
  };
}

function checkMembers(path: string, reps: readonly string[]): string[] {
  checkCount(path, reps, MAX_TEAM_MEMBERS);
  const seen = new Set<string>();
  reps.forEach((rep, i) => {
    checkId(`${path}[${i}]`, rep);
    if (seen.has(rep)) refuse(`${path}[${i}]`, `rep ${rep} is listed twice`);
    seen.add(rep);
  });
  return [...reps];
}

function checkProblemType(
  path: string,
  problemType: ProblemTypeConfigInput,
  teamIds: ReadonlySet<string>,
): ProblemTypeConfig {
  const teamId = checkId(`${path}.team_id`, problemType.teamId);
  if (!teamIds.has(teamId)) refuse(`${path}.team_id`, `team ${teamId} is not in config.teams`);
  const requiredSkills = problemType.requiredSkills ?? [];
  checkCount(`${path}.required_skills`, requiredSkills, MAX_SKILLS);
  const seen = new Set<string>();
  requiredSkills.forEach((skill, k) => {
    const field = `${path}.required_skills[${k}]`;
    checkId(field, skill);
    if (seen.has(skill)) refuse(field, `skill ${skill} is listed twice`);
    seen.add(skill);
  });
  return {
    id: problemType.id,
    label: checkLabel(`${path}.label`, problemType.label),
    teamId,
    priority: checkInteger(`${path}.priority`, problemType.priority ?? 0, 0, MAX_PRIORITY),
    requiredSkills: [...requiredSkills],
  };
}

/** Ids first, all of them, so a later field can refer to any team whatever its position. */
function collectIds(path: string, items: readonly { id: string }[]): Set<string> {
  const firstIndex = new Map<string, number>();
  items.forEach((item, i) => {
    const id = checkId(`${path}[${i}].id`, item.id);
    const earlier = firstIndex.get(id);
    if (earlier !== undefined) refuse(`${path}[${i}].id`, `duplicates ${path}[${earlier}].id (${id})`);
    firstIndex.set(id, i);
  });
  return new Set(firstIndex.keys());
}

/**
 * Checks a site's routing config and fills in defaults. A config is accepted or refused whole: the first
 * problem found throws, naming its field in proto snake_case with its index path so the admin can fix it.
 * @throws RoutingConfigInvalidError
 */
export function validateRoutingConfig(input: RoutingConfigInput): RoutingConfig {
  const teams = input.teams ?? [];
  const problemTypes = input.problemTypes ?? [];
  if (teams.length === 0) refuse("config.teams", "must hold at least one team");
  checkCount("config.teams", teams, MAX_TEAMS);
  checkCount("config.problem_types", problemTypes, MAX_PROBLEM_TYPES);
  const teamIds = collectIds("config.teams", teams);
  collectIds("config.problem_types", problemTypes);
  return {
    teams: teams.map((team, i) => checkTeam(`config.teams[${i}]`, team, teamIds)),
    problemTypes: problemTypes.map((problemType, i) =>
      checkProblemType(`config.problem_types[${i}]`, problemType, teamIds),
    ),
  };
}
