import { MAX_LABEL_LENGTH } from "@handoff/proto";
import { displayNameField, idField } from "@handoff/runtime/fields";
import type { RoutingConfig } from "@handoff/proto/acd_service";
import { RoutingStrategy } from "@handoff/proto/common";
import { z } from "zod";

/**
 * The acd's routing config as the admin API's JSON. Only the shape is checked here (types, and
 * bounds that keep a body small enough to forward); the acd validates the config whole (limits,
 * references between teams and problem types, overflow order) and its refusal names the field, which
 * `jsonFieldOfAcd` turns into this JSON's path.
 */

const STRATEGIES = {
  longest_idle: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE,
  least_busy: RoutingStrategy.ROUTING_STRATEGY_LEAST_BUSY,
  round_robin: RoutingStrategy.ROUTING_STRATEGY_ROUND_ROBIN,
  manual: RoutingStrategy.ROUTING_STRATEGY_MANUAL,
} as const;
type Strategy = keyof typeof STRATEGIES;
const STRATEGY_NAMES = Object.keys(STRATEGIES) as [Strategy, ...Strategy[]];

const count = z.number().int("must be an integer").min(0, "must not be negative");

const overflowStep = z.strictObject({
  afterMs: count,
  addTeamIds: z.array(idField).max(1_000).default([]),
  priorityIncrease: count.default(0),
});

const team = z
  .strictObject({
    id: idField,
    name: displayNameField(MAX_LABEL_LENGTH),
    strategy: z.enum(STRATEGY_NAMES).default("longest_idle"),
    offerTimeoutMs: count.optional().meta({ description: "The acd's default (30 s) when left out." }),
    overflow: z.array(overflowStep).max(100).default([]),
    transferKeepsWaitTime: z.boolean().default(false),
    transferPriorityBoost: count.default(0),
    memberRepIds: z.array(idField).max(10_000).default([]),
  })
  .meta({ id: "Team" });

const problemType = z
  .strictObject({
    id: idField,
    label: displayNameField(MAX_LABEL_LENGTH),
    teamId: idField,
    priority: count.default(0),
    requiredSkills: z.array(idField).max(100).default([]),
  })
  .meta({ id: "ProblemType" });

export const routingConfigBody = z
  .strictObject({
    teams: z.array(team).max(1_000),
    problemTypes: z.array(problemType).max(5_000).default([]),
  })
  .meta({ id: "RoutingConfig", description: "Teams and problem types, as the acd routes with them." });

export const routingConfigView = routingConfigBody
  .extend({ version: z.number().int().meta({ description: "The acd's version of the config." }) })
  .meta({ id: "RoutingConfigVersion" });

export type RoutingConfigBody = z.infer<typeof routingConfigBody>;

export const routingConfigToProto = (body: RoutingConfigBody): RoutingConfig => ({
  version: 0,
  teams: body.teams.map((t) => ({ ...t, strategy: STRATEGIES[t.strategy], offerTimeoutMs: t.offerTimeoutMs ?? 0 })),
  problemTypes: body.problemTypes,
});

export function routingConfigFromProto(config: RoutingConfig): z.infer<typeof routingConfigView> {
  const strategyName = (value: RoutingStrategy): Strategy =>
    STRATEGY_NAMES.find((name) => STRATEGIES[name] === value) ?? "longest_idle";
  return {
    version: config.version,
    teams: config.teams.map((t) => ({ ...t, strategy: strategyName(t.strategy) })),
    problemTypes: config.problemTypes,
  };
}

/** `config.teams[0].offer_timeout_ms` (the acd's field) as this JSON's `teams.0.offerTimeoutMs`. */
export const jsonFieldOfAcd = (field: string): string =>
  field
    .replace(/^config\.?/, "")
    .replace(/\[(\d+)\]/g, ".$1")
    .replace(/_([a-z])/g, (_, c: string) => c.toUpperCase()) || "body";
