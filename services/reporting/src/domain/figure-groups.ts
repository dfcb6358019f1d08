import type { QueueRef, SessionFacts, SessionRow } from "./session-facts";

/** What the queue figures are summed by: each queue on its own (METRICS.md), the whole site, or problem type. */
export type FigureGrouping = "queue" | "site" | "problemType";

/**
 * The row a count goes to. A problem type's id is null for sessions whose broker `SessionCreated`
 * is missing (the timeline stores an empty problem type as null too, so the two never collide).
 */
export type FigureGroup = QueueRef | { kind: "site"; id: string } | { kind: "problemType"; id: string | null };

/** What grouping reads of a session besides its queues. */
export type GroupedSession = Pick<SessionFacts, "siteId"> & { session: Pick<SessionRow, "problemTypeId"> };

/** The group a count of `queue` in `session` goes to; null leaves the count out. */
export type GroupOf = (queue: QueueRef, session: GroupedSession) => FigureGroup | null;

export const figureGroupKey = (group: FigureGroup): string => `${group.kind}:${group.id ?? ""}`;

/**
 * How to group by `by`. With `team`, only counts of that team's queue are kept before grouping, so
 * `by=problemType&team=t1` splits t1's queue by problem type (and `by=queue` keeps t1's row, as before).
 */
export function groupOf(by: FigureGrouping, team?: string): GroupOf {
  return (queue, session) => {
    if (team !== undefined && (queue.kind !== "team" || queue.id !== team)) return null;
    switch (by) {
      case "queue":
        return queue;
      case "site":
        return { kind: "site", id: session.siteId };
      case "problemType":
        return { kind: "problemType", id: session.session.problemTypeId };
    }
  };
}
