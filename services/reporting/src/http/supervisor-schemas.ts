import { idField } from "@handoff/runtime/fields";
import { z } from "zod";
import { isTimeZone } from "../domain/site-settings";

const REP_STATES = ["REP_STATE_AVAILABLE", "REP_STATE_AWAY", "REP_STATE_BUSY", "REP_STATE_OFFLINE"] as const;

export const queueRef = z
  .object({ kind: z.enum(["team", "rep"]), id: z.string() })
  .meta({ id: "QueueRef", description: "A team queue or a rep's personal queue." });

export const queuesQuery = z.strictObject({
  team: idField.optional().meta({ description: "Only this team's queue." }),
});

export const queuesResponse = z
  .object({
    atMs: z.number().int().meta({ description: "When these figures were read (ms since the epoch)." }),
    queues: z.array(
      z
        .object({
          queue: queueRef,
          waiting: z.number().int(),
          longestWaitMs: z.number().int().nullable().meta({ description: "null when nothing waits." }),
          ewtP50Ms: z
            .number()
            .int()
            .nullable()
            .meta({ description: "The latest known estimate shown to a waiting customer of the queue." }),
          reps: z
            .object({
              available: z.number().int(),
              busy: z.number().int(),
              away: z.number().int(),
              onSession: z.number().int().meta({ description: "Holding at least one accepted session." }),
            })
            .nullable()
            .meta({ description: "Logged-in reps of the team by state; null for a personal queue." }),
        })
        .meta({ id: "QueueNow" }),
    ),
  })
  .meta({ id: "QueuesNow" });

export const repsQuery = z.strictObject({
  team: idField.optional().meta({ description: "Only reps logged in to this team." }),
  state: z.enum(REP_STATES).optional(),
});

export const repsResponse = z
  .object({
    atMs: z.number().int(),
    reps: z.array(
      z
        .object({
          repId: z.string(),
          state: z.enum(REP_STATES),
          reasonCode: z.string(),
          sinceMs: z.number().int(),
          teamIds: z.array(z.string()),
          load: z.number().int().meta({ description: "Accepted sessions he holds now." }),
        })
        .meta({ id: "RepNow" }),
    ),
  })
  .meta({ id: "RepsNow" });

export const MAX_RANGE_MS = 31 * 86_400_000;

/** `?format=csv` asks for CSV as `Accept: text/csv` does; `json` wins over the Accept header. */
export const formatField = z.enum(["json", "csv"]).optional().meta({
  description: "`csv` answers `text/csv` (as `Accept: text/csv` does); without it the Accept header decides.",
});

/** Which array of the answer a CSV answer holds (a JSON answer holds them all); the first is the default. */
const csvTableField = <T extends readonly [string, ...string[]]>(tables: T) =>
  z
    .enum(tables)
    .default(tables[0])
    .meta({ description: "Which array of the answer a CSV answer holds; JSON answers hold every one." });

export const instant = z.iso
  .datetime({ offset: true })
  .transform((value) => Date.parse(value))
  .meta({ description: "ISO 8601 date-time with offset, e.g. 2026-11-02T00:00:00+01:00." });
/** An override of one of the site's settings: left out, the site's own (`GET /v1/supervisor/site-settings`). */
export const seconds = (description: string) =>
  z.coerce
    .number()
    .int()
    .min(0)
    .max(3_600)
    .optional()
    .meta({ description: `${description} Default: the site's setting.` });

export const timeZoneOverride = (description: string) =>
  z
    .string()
    .max(64)
    .refine(isTimeZone, "must be an IANA time zone, e.g. Europe/Berlin")
    .optional()
    .meta({ description: `${description} Default: the site's time zone.` });

export const answerThresholdOverride = seconds("X of service level: answered within X seconds counts.");
export const shortAbandonOverride = seconds("Abandons strictly below this many seconds are short.");

export const siteSettingsQuery = z.strictObject({});

export const siteSettingsResponse = z
  .object({
    timeZone: z.string().meta({ description: "IANA time zone: days and intervals run from its local midnight." }),
    answerThresholdS: z.number().meta({ description: "X of service level, in seconds." }),
    shortAbandonS: z.number().meta({ description: "Abandons strictly below this many seconds are short." }),
    version: z.number().int().nullable().meta({
      description:
        "The portal config version (intake's site administration) these came with; null: the site published none, these are the defaults.",
    }),
  })
  .meta({
    id: "SiteSettings",
    description: "The settings every figure of the site is computed with unless a query overrides them.",
  });

export const queueIntervalsQuery = z
  .strictObject({
    from: instant,
    to: instant,
    timeZone: timeZoneOverride("Intervals run from local midnight in this IANA time zone."),
    team: idField.optional().meta({ description: "Only this team's queue (also with `by`: its counts only)." }),
    by: z.enum(["queue", "site", "problemType"]).default("queue").meta({
      description:
        "Rows per queue (team and personal queues each on their own), for the whole site, or per problem type of the sessions.",
    }),
    answerThresholdS: answerThresholdOverride,
    shortAbandonS: shortAbandonOverride,
    format: formatField,
    table: csvTableField(["intervals", "totals"] as const),
  })
  .refine((q) => q.to > q.from, { path: ["to"], message: "must be after from" })
  .refine((q) => q.to - q.from <= MAX_RANGE_MS, { path: ["to"], message: "at most 31 days after from" });

const figureGroup = z
  .object({
    kind: z.enum(["team", "rep", "site", "problemType"]),
    id: z.string().nullable().meta({ description: "null for the problem type of sessions created without one." }),
  })
  .meta({
    id: "FigureGroup",
    description: "What a row sums (`by`): a team queue, a rep's personal queue, the site or a problem type.",
  });

const count = z.number().int();
const nullableRatio = z.number().nullable();
export const queueFiguresSchema = z
  .object({
    queue: figureGroup,
    startMs: z.number().int(),
    endMs: z.number().int(),
    queued: count,
    answered: count,
    answeredWithinX: count,
    abandoned: count,
    shortAbandoned: count,
    offersCreated: count,
    offersAccepted: count,
    offersRejected: count,
    offersExpired: count,
    offersWithdrawn: count,
    transfersIn: count,
    transfersOut: count,
    serviceLevel: nullableRatio,
    abandonRate: nullableRatio,
    asaMs: nullableRatio,
    asaP50Ms: nullableRatio,
    asaP90Ms: nullableRatio,
    ahtMs: nullableRatio,
    offerAcceptRate: nullableRatio,
    csat: nullableRatio,
    csatTop2: nullableRatio,
    ewtAbsErrorMs: nullableRatio,
    ewtP90Coverage: nullableRatio,
  })
  .meta({ id: "QueueFigures", description: "Figures of /v1/metrics-dictionary; null for a zero denominator." });

export const queueIntervalsResponse = z
  .object({
    timeZone: z.string().meta({ description: "The zone the intervals are in (the site's, or the query's)." }),
    answerThresholdS: z.number().meta({ description: "The X used (the site's, or the query's)." }),
    shortAbandonS: z.number().meta({ description: "The short-abandon threshold used (the site's, or the query's)." }),
    intervals: z
      .array(queueFiguresSchema)
      .meta({ description: "Per group (`by`) and 15-minute interval with any count." }),
    totals: z.array(queueFiguresSchema).meta({ description: "Per group over the whole range, from the facts." }),
  })
  .meta({ id: "QueueIntervals" });

export const repIntervalsQuery = z
  .strictObject({
    from: instant,
    to: instant,
    timeZone: timeZoneOverride("Intervals run from local midnight in this IANA time zone."),
    rep: idField.optional().meta({ description: "Only this rep." }),
    format: formatField,
    table: csvTableField(["reps", "fairness"] as const),
  })
  .refine((q) => q.to > q.from, { path: ["to"], message: "must be after from" })
  .refine((q) => q.to - q.from <= MAX_RANGE_MS, { path: ["to"], message: "at most 31 days after from" });

export const repFiguresSchema = z
  .object({
    repId: z.string(),
    startMs: z.number().int(),
    endMs: z.number().int(),
    stateMs: z.record(z.string(), z.number().int()).meta({ description: "By `<state>` or `<state>:<reason code>`." }),
    staffedMs: z.number().int(),
    engagedMs: z.number().int(),
    availableIdleMs: z.number().int(),
    occupancy: z.number().nullable(),
    loadMs: z.number().int(),
  })
  .meta({ id: "RepFigures" });

export const fairnessSchema = z
  .object({
    teamIds: z.array(z.string()),
    skills: z.array(z.string()),
    startMs: z.number().int(),
    endMs: z.number().int(),
    repIds: z.array(z.string()),
    offersCv: z.number().nullable(),
    idleSpreadMs: z.number().nullable(),
  })
  .meta({ id: "FairnessFigures", description: "Among reps with the same teams and skills, staffed in the interval." });

export const repIntervalsResponse = z
  .object({
    timeZone: z.string().meta({ description: "The zone the intervals are in (the site's, or the query's)." }),
    reps: z.array(repFiguresSchema).meta({ description: "Per rep and 15-minute interval." }),
    fairness: z.array(fairnessSchema).meta({ description: "Per group of equally skilled reps and interval." }),
  })
  .meta({ id: "RepIntervals" });
