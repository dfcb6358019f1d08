import { abandonReasonFromJSON, RoutingStrategy, type QueueTarget } from "@handoff/proto/common";
import { RoutingEvent } from "@handoff/proto/events";
import type { RoutingOutboxEntry } from "../store/routing-records";

const STRATEGIES: Record<string, RoutingStrategy> = {
  longest_idle: RoutingStrategy.ROUTING_STRATEGY_LONGEST_IDLE,
  least_busy: RoutingStrategy.ROUTING_STRATEGY_LEAST_BUSY,
  round_robin: RoutingStrategy.ROUTING_STRATEGY_ROUND_ROBIN,
  manual: RoutingStrategy.ROUTING_STRATEGY_MANUAL,
};

/** The event id: unique per site and stable across relay retries, so consumers can dedupe by it. */
export const routingEventId = (site: string, entry: Pick<RoutingOutboxEntry, "id">) => `${site}/${entry.id}`;

function target(value: unknown): QueueTarget | undefined {
  if (!value || typeof value !== "object") return undefined;
  const t = value as { teamId?: string; repId?: string };
  if (t.teamId) return { target: { $case: "teamId", teamId: t.teamId } };
  if (t.repId) return { target: { $case: "repId", repId: t.repId } };
  return undefined;
}

/** Lua's cjson writes an empty table as `{}`; the proto wants a list. */
const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);

/** Turns the script's JSON payload into the proto field shapes (oneofs, enums, lists). */
function payloadFields(type: string, data: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = { ...data };
  if ("target" in data) fields.target = target(data.target);
  if ("fromQueue" in data) fields.fromQueue = target(data.fromQueue);
  for (const key of ["requiredSkills", "addedTeamIds", "teamIds"]) if (key in data) fields[key] = list(data[key]);
  // SessionAbandoned's reason is an enum; SessionTransferred's is the requeue's reason as written.
  if (type === "SessionAbandoned" && typeof data.reason === "string")
    fields.reason = abandonReasonFromJSON(data.reason);
  const decision = data.decision as { strategy?: string } | undefined;
  if (decision)
    fields.decision = {
      ...decision,
      strategy: STRATEGIES[decision.strategy ?? ""] ?? RoutingStrategy.ROUTING_STRATEGY_UNSPECIFIED,
    };
  return fields;
}

/** The Kafka payload of one outbox entry. */
export function toRoutingEvent(site: string, entry: RoutingOutboxEntry): RoutingEvent {
  const $case = entry.type.charAt(0).toLowerCase() + entry.type.slice(1);
  return RoutingEvent.fromPartial({
    eventId: routingEventId(site, entry),
    occurredAtMs: entry.at,
    siteId: site,
    sessionId: entry.sessionId,
    epoch: entry.epoch,
    payload: { $case, [$case]: payloadFields(entry.type, entry.data) } as unknown as RoutingEvent["payload"],
  });
}

/**
 * Partition key: the session, or the rep for rep-only events, or the site for site-wide ones
 * (`RoutingConfigChanged`), so one aggregate's events keep their order. Never empty: an empty key
 * spreads a site's config changes over partitions, where they can be read out of order.
 */
export function routingEventKey(site: string, entry: RoutingOutboxEntry): string {
  const repId = entry.data.repId;
  return entry.sessionId || (typeof repId === "string" && repId ? repId : site);
}
