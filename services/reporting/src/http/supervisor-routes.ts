import { queuesNow } from "../domain/realtime";
import { route, type SupervisorRoute } from "./supervisor-route";
import { queuesQuery, queuesResponse, repsQuery, repsResponse } from "./supervisor-schemas";

/** Every operation of the supervisor API, in the order the OpenAPI document lists them. */
export const SUPERVISOR_ROUTES: readonly SupervisorRoute[] = [
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
];
