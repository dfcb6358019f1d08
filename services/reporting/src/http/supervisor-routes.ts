import { HttpProblem } from "@handoff/runtime";
import { intervalBuckets, rangeBucket } from "../domain/buckets";
import { groupOf } from "../domain/figure-groups";
import { queueFigures, type QueueFigures } from "../domain/queue-figures";
import { fairnessFigures } from "../domain/fairness";
import { queuesNow } from "../domain/realtime";
import { repFigures } from "../domain/rep-figures";
import { repTimelines } from "../domain/rep-timeline";
import { effectiveSettings, figureSettings } from "../domain/site-settings";
import { TooManyRepRowsError } from "../store/rep-facts-reader";
import { TooManySessionsError } from "../store/session-facts-reader";
import { fileStamp } from "./csv-table";
import { SESSION_ROUTES } from "./session-routes";
import { route, type SupervisorRoute } from "./supervisor-route";
import {
  fairnessSchema,
  queueFiguresSchema,
  queueIntervalsQuery,
  queueIntervalsResponse,
  queuesQuery,
  queuesResponse,
  repIntervalsQuery,
  repIntervalsResponse,
  repFiguresSchema,
  repsQuery,
  repsResponse,
  siteSettingsQuery,
  siteSettingsResponse,
} from "./supervisor-schemas";

const rangeTooLarge = (error: unknown): unknown =>
  error instanceof TooManySessionsError || error instanceof TooManyRepRowsError
    ? new HttpProblem(422, "Range too large", error.message, undefined, { reason: "RANGE_TOO_LARGE" })
    : error;

const flat = ({ bucket, ...figures }: QueueFigures) => ({ ...figures, startMs: bucket.startMs, endMs: bucket.endMs });

/** Every operation of the supervisor API, in the order the OpenAPI document lists them. */
export const SUPERVISOR_ROUTES: readonly SupervisorRoute[] = [
  route({
    method: "get",
    path: "/v1/supervisor/site-settings",
    operationId: "getSiteSettings",
    summary: "The site's time zone and thresholds, as its admin saved them in intake (the default of every figure)",
    tag: "real time",
    query: siteSettingsQuery,
    status: 200,
    response: siteSettingsResponse,
    errors: [],
    async handle(deps, principal) {
      const settings = await deps.siteSettings.of(principal.siteId);
      return {
        timeZone: settings.timeZone,
        answerThresholdS: settings.answerThresholdMs / 1_000,
        shortAbandonS: settings.shortAbandonMs / 1_000,
        version: settings.version,
      };
    },
  }),
  route({
    method: "get",
    path: "/v1/supervisor/queues",
    operationId: "getQueuesNow",
    summary: "The site's queues now: waiting, longest wait, estimate, reps by state",
    tag: "real time",
    query: queuesQuery,
    status: 200,
    response: queuesResponse,
    errors: [],
    async handle(deps, principal, query) {
      const atMs = deps.now();
      const [waiting, reps] = await Promise.all([
        deps.realtime.waitingEntries(principal.siteId),
        deps.realtime.reps(principal.siteId),
      ]);
      const queues = queuesNow(waiting, reps, atMs).filter(
        (q) => query.team === undefined || (q.queue.kind === "team" && q.queue.id === query.team),
      );
      return { atMs, queues };
    },
  }),
  route({
    method: "get",
    path: "/v1/supervisor/reps",
    operationId: "getRepsNow",
    summary: "The site's reps now: state, since when, teams, sessions held",
    tag: "real time",
    query: repsQuery,
    status: 200,
    response: repsResponse,
    errors: [],
    async handle(deps, principal, query) {
      const atMs = deps.now();
      const reps = (await deps.realtime.reps(principal.siteId)).filter(
        (r) =>
          (query.team === undefined || r.teamIds.includes(query.team)) &&
          (query.state === undefined || r.state === query.state),
      );
      return { atMs, reps };
    },
  }),
  route({
    method: "get",
    path: "/v1/supervisor/queue-intervals",
    operationId: "getQueueIntervals",
    summary:
      "Queue figures per 15-minute interval of the site's time zone, and range totals, by queue, site or problem type",
    tag: "history",
    query: queueIntervalsQuery,
    status: 200,
    response: queueIntervalsResponse,
    errors: [422],
    async handle(deps, principal, query) {
      const [sessions, site] = await Promise.all([
        deps.facts.queueFacts(principal.siteId, query.from, query.to).catch((error: unknown) => {
          throw rangeTooLarge(error);
        }),
        deps.siteSettings.of(principal.siteId),
      ]);
      const used = effectiveSettings(site, query);
      const settings = figureSettings(used);
      const group = groupOf(query.by, query.team);
      return {
        timeZone: used.timeZone,
        answerThresholdS: used.answerThresholdMs / 1_000,
        shortAbandonS: used.shortAbandonMs / 1_000,
        intervals: queueFigures(sessions, intervalBuckets(used.timeZone, query.from, query.to), settings, group).map(
          flat,
        ),
        totals: queueFigures(sessions, rangeBucket(query.from, query.to), settings, group).map(flat),
      };
    },
    csv: (answer, query) => ({
      filename: `queue-${query.table}-${fileStamp(query.from)}-${fileStamp(query.to)}.csv`,
      row: queueFiguresSchema,
      rows: answer[query.table],
    }),
  }),
  route({
    method: "get",
    path: "/v1/supervisor/rep-intervals",
    operationId: "getRepIntervals",
    summary: "Rep state time, staffed, engaged and idle time, occupancy and load per interval; routing fairness",
    tag: "history",
    query: repIntervalsQuery,
    status: 200,
    response: repIntervalsResponse,
    errors: [422],
    async handle(deps, principal, query) {
      const [facts, site] = await Promise.all([
        deps.repFacts.inRange(principal.siteId, query.from, query.to).catch((error: unknown) => {
          throw rangeTooLarge(error);
        }),
        deps.siteSettings.of(principal.siteId),
      ]);
      const timeZone = query.timeZone ?? site.timeZone;
      const buckets = intervalBuckets(timeZone, query.from, query.to);
      const timelines = repTimelines(facts.stateChanges, facts.parts, Math.min(query.to, deps.now()));
      const reps = repFigures(timelines.values(), buckets);
      const fairness = fairnessFigures(facts.offers, timelines, facts.profiles, reps, buckets);
      return {
        timeZone,
        reps: reps
          .filter((r) => query.rep === undefined || r.repId === query.rep)
          .map(({ bucket, ...figures }) => ({ ...figures, startMs: bucket.startMs, endMs: bucket.endMs })),
        fairness: fairness.map(({ bucket, ...figures }) => ({
          ...figures,
          startMs: bucket.startMs,
          endMs: bucket.endMs,
        })),
      };
    },
    csv: (answer, query) => ({
      filename: `rep-${query.table === "reps" ? "intervals" : "fairness"}-${fileStamp(query.from)}-${fileStamp(query.to)}.csv`,
      row: query.table === "reps" ? repFiguresSchema : fairnessSchema,
      rows: answer[query.table],
    }),
  }),
  ...SESSION_ROUTES,
];
