import type { Bucket, Buckets } from "./buckets";
import type { RepProfileChangeRow } from "./rep-facts";
import type { RepFigures } from "./rep-figures";
import type { RepTimeline } from "./rep-timeline";
import type { SessionFacts } from "./session-facts";
import { coefficientOfVariation, nearestRank } from "./statistics";

export interface RepProfileChange extends RepProfileChangeRow {
  repId: string;
}

/** Routing fairness among equally skilled reps in one bucket (METRICS.md "Handoff's own figures"). */
export interface FairnessFigures {
  teamIds: string[];
  skills: string[];
  bucket: Bucket;
  repIds: string[];
  /** Coefficient of variation of offers per staffed hour; 0 for a group of one. */
  offersCv: number | null;
  /** p90 − p10 over the group's offers of the rep's idle time before the offer. */
  idleSpreadMs: number | null;
}

const HOUR_MS = 3_600_000;

/** A rep's teams and skills as of `atMs`: the latest login and capacity setting before it. */
function profileAt(changes: readonly RepProfileChange[], atMs: number): { teamIds: string[]; skills: string[] } {
  let teams: RepProfileChange | undefined;
  let capacity: RepProfileChange | undefined;
  for (const change of changes) {
    if (change.changedAtMs >= atMs) continue;
    if (change.kind === "teams" && (!teams || change.changedAtMs >= teams.changedAtMs)) teams = change;
    if (change.kind === "capacity" && (!capacity || change.changedAtMs >= capacity.changedAtMs)) capacity = change;
  }
  return { teamIds: teams?.teamIds ?? [], skills: capacity?.skills ?? [] };
}

/** How long the rep had been available with no accepted session when the offer was made (0 if not). */
function idleBefore(timeline: RepTimeline | undefined, atMs: number): number {
  const idle = timeline?.availableIdle.find((s) => s.startMs <= atMs && atMs < s.endMs);
  return idle ? atMs - idle.startMs : 0;
}

/**
 * Groups the reps staffed in each bucket by their teams and skills at the bucket's end, and measures
 * how evenly the group's offers and the idle time before them were spread.
 */
export function fairnessFigures(
  sessions: readonly Pick<SessionFacts, "offers">[],
  timelines: ReadonlyMap<string, RepTimeline>,
  profiles: readonly RepProfileChange[],
  reps: readonly RepFigures[],
  buckets: Buckets,
): FairnessFigures[] {
  const offers = sessions.flatMap((s) => s.offers);
  const profilesByRep = new Map<string, RepProfileChange[]>();
  for (const change of profiles) profilesByRep.set(change.repId, [...(profilesByRep.get(change.repId) ?? []), change]);

  const groups = new Map<string, { teamIds: string[]; skills: string[]; bucket: Bucket; members: RepFigures[] }>();
  for (const rep of reps) {
    if (rep.staffedMs === 0) continue;
    const profile = profileAt(profilesByRep.get(rep.repId) ?? [], rep.bucket.endMs);
    const key = `${rep.bucket.startMs}|${profile.teamIds.join(",")}|${profile.skills.join(",")}`;
    const group = groups.get(key) ?? { ...profile, bucket: rep.bucket, members: [] };
    group.members.push(rep);
    groups.set(key, group);
  }

  return [...groups.values()].map(({ teamIds, skills, bucket, members }) => {
    const memberIds = new Set(members.map((m) => m.repId));
    const groupOffers = offers.filter(
      (o) => memberIds.has(o.repId) && buckets.of(o.createdAtMs)?.startMs === bucket.startMs,
    );
    const perHour = members.map((m) => groupOffers.filter((o) => o.repId === m.repId).length / (m.staffedMs / HOUR_MS));
    const idle = groupOffers.map((o) => idleBefore(timelines.get(o.repId), o.createdAtMs));
    const p90 = nearestRank(idle, 90);
    const p10 = nearestRank(idle, 10);
    return {
      teamIds,
      skills,
      bucket,
      repIds: [...memberIds].sort(),
      offersCv: members.length === 1 ? 0 : coefficientOfVariation(perHour),
      idleSpreadMs: p90 === null || p10 === null ? null : p90 - p10,
    };
  });
}
