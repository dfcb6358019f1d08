import type { z } from "zod";
import type { AgentApiDeps } from "./agent-api-deps";
import { positionJson } from "./json-views";
import type { queuesResponse } from "./schemas";

/** Waiting sessions read from PostgreSQL per request (the site's oldest first). */
const SCAN_LIMIT = 2_000;
/** Sessions listed per queue, each with its position from the acd. */
const LISTED_PER_QUEUE = 50;

type Queues = z.infer<typeof queuesResponse>;

/**
 * The queues a rep works: the teams presence has him logged in to, and his personal queue. The acd
 * has no per-team waiting list, so the waiting sessions come from PostgreSQL (the `waiting` rows of
 * the site, oldest first, bounded) and each listed one's position and wait estimate from the acd. A
 * session is listed under the queue it was placed in (an overflow to another team does not move it).
 */
export async function repQueues(
  deps: AgentApiDeps,
  siteId: string,
  repId: string,
  nowMs = Date.now(),
): Promise<Queues> {
  const [rep, waiting] = await Promise.all([
    deps.presence.rep(siteId, repId),
    deps.store.sessionsInStates(siteId, ["waiting"], SCAN_LIMIT),
  ]);
  const targets = [
    ...(rep?.teamIds ?? []).map((id) => ({ kind: "team" as const, id })),
    { kind: "rep" as const, id: repId },
  ];
  return {
    queues: await Promise.all(
      targets.map(async (target) => {
        const queued = waiting.filter((row) => row.target.kind === target.kind && row.target.id === target.id);
        const listed = queued.slice(0, LISTED_PER_QUEUE);
        const positions = await Promise.all(
          listed.map((row) => deps.acd.position(siteId, row.sessionId).catch(() => undefined)),
        );
        return {
          target,
          waiting: listed.map((row, i) => ({
            sessionId: row.sessionId,
            target,
            problemTypeId: row.problemTypeId,
            priority: row.priority,
            customerName: row.customer.name,
            enqueuedAtMs: row.enqueuedAtMs,
            waitingMs: Math.max(0, nowMs - row.enqueuedAtMs),
            position: positionJson(positions[i]),
          })),
          truncated: queued.length > listed.length || waiting.length >= SCAN_LIMIT,
        };
      }),
    ),
  };
}
