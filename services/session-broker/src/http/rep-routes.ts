import type { AgentPrincipal } from "@handoff/runtime";
import { isSupervisor } from "../auth/agent-actor";
import type { PresenceActor } from "../routing/presence-port";
import type { AgentApiDeps } from "./agent-api-deps";
import { REP_PREFIX, route, type AgentRoute } from "./agent-route";
import { repJson, sessionJson } from "./json-views";
import { repQueues } from "./rep-queues";
import {
  capacityBody,
  emptyBody,
  heartbeatBody,
  loginBody,
  maybeSessionResponse,
  queuesResponse,
  repPath,
  repResponse,
  sessionsResponse,
  heartbeatResponse,
  stateBody,
} from "./schemas";

/** Offered sessions of a site read to find a rep's offers (at most one per unit of reps' capacity). */
const OFFERED_SCAN_LIMIT = 5_000;

const actorOf = (principal: AgentPrincipal): PresenceActor => ({
  kind: isSupervisor(principal) ? "supervisor" : "rep",
  id: principal.repId,
});

/** The sessions a rep holds: those offered to him (oldest offer first), then those he takes part in. */
async function sessionsOfRep(deps: AgentApiDeps, siteId: string, repId: string) {
  const [offered, activeIds] = await Promise.all([
    deps.store.sessionsInStates(siteId, ["offered"], OFFERED_SCAN_LIMIT),
    deps.participants.sessionIdsOfRep(siteId, repId),
  ]);
  const active = await Promise.all(activeIds.map((id) => deps.store.get(siteId, id)));
  const rows = [...offered.filter((row) => row.repId === repId), ...active];
  return { sessions: await Promise.all(rows.map((row) => sessionJson(deps, row))) };
}

/** Log in and out, state, capacity, heartbeats, and what a rep holds and waits for. */
export const repRoutes: AgentRoute[] = [
  route({
    method: "post",
    path: `${REP_PREFIX}/login`,
    operationId: "login",
    summary: "Log the rep in to teams (replacing his teams), from one desktop connection",
    tag: "rep",
    params: repPath,
    body: loginBody,
    status: 200,
    response: repResponse,
    errors: [403, 409, 503],
    handle: async (deps, { principal, repId, body }) => ({
      rep: repJson(await deps.presence.login(principal.siteId, repId, body.teamIds, body.connectionId)),
    }),
  }),
  route({
    method: "post",
    path: `${REP_PREFIX}/logout`,
    operationId: "logout",
    summary: "Log the rep out of every team",
    tag: "rep",
    params: repPath,
    body: emptyBody,
    status: 204,
    errors: [403, 409, 503],
    handle: async (deps, { principal, repId }) => deps.presence.logout(principal.siteId, repId, actorOf(principal)),
  }),
  route({
    method: "put",
    path: `${REP_PREFIX}/state`,
    operationId: "setState",
    summary: "Set the rep's state (available, away with a reason, busy, offline)",
    tag: "rep",
    params: repPath,
    body: stateBody,
    status: 200,
    response: repResponse,
    errors: [403, 409, 503],
    handle: async (deps, { principal, repId, body }) => ({
      rep: repJson(
        await deps.presence.setState(principal.siteId, repId, body.state, body.reason ?? "", actorOf(principal)),
      ),
    }),
  }),
  route({
    method: "put",
    path: `${REP_PREFIX}/capacity`,
    operationId: "setCapacity",
    summary: "Single-session mode, or multi-session mode with a number of sessions at once",
    tag: "rep",
    params: repPath,
    body: capacityBody,
    status: 200,
    response: repResponse,
    errors: [403, 409, 503],
    handle: async (deps, { principal, repId, body }) => ({
      rep: repJson(
        await deps.presence.setCapacity(
          principal.siteId,
          repId,
          body.mode === "single" ? 1 : (body.sessions ?? 1),
          body.skills,
        ),
      ),
    }),
  }),
  route({
    method: "post",
    path: `${REP_PREFIX}/heartbeat`,
    operationId: "heartbeat",
    summary: "Keep one desktop connection of the rep alive (clients without the live socket)",
    tag: "rep",
    params: repPath,
    body: heartbeatBody,
    status: 200,
    response: heartbeatResponse,
    errors: [403, 409, 503],
    handle: async (deps, { principal, repId, body }) => ({
      nextDeadlineMs: await deps.presence.heartbeat(principal.siteId, repId, body.connectionId),
    }),
  }),
  route({
    method: "get",
    path: REP_PREFIX,
    operationId: "getRep",
    summary: "The rep's presence: state, teams, capacity, connections and load",
    tag: "rep",
    params: repPath,
    status: 200,
    response: repResponse,
    errors: [403, 503],
    handle: async (deps, { principal, repId }) => ({ rep: repJson(await deps.presence.rep(principal.siteId, repId)) }),
  }),
  route({
    method: "get",
    path: `${REP_PREFIX}/sessions`,
    operationId: "listSessions",
    summary: "The sessions offered to the rep and those he takes part in",
    tag: "rep",
    params: repPath,
    status: 200,
    response: sessionsResponse,
    errors: [403],
    handle: (deps, { principal, repId }) => sessionsOfRep(deps, principal.siteId, repId),
  }),
  route({
    method: "get",
    path: `${REP_PREFIX}/queues`,
    operationId: "listQueues",
    summary: "The waiting sessions of the rep's teams and personal queue, with position, waiting time and EWT",
    tag: "rep",
    params: repPath,
    status: 200,
    response: queuesResponse,
    errors: [403, 503],
    handle: (deps, { principal, repId }) => repQueues(deps, principal.siteId, repId),
  }),
  route({
    method: "post",
    path: `${REP_PREFIX}/next-session`,
    operationId: "takeNextSession",
    summary: "Pull the next waiting session of the rep's queues and accept it at once",
    tag: "rep",
    params: repPath,
    body: emptyBody,
    status: 200,
    response: maybeSessionResponse,
    errors: [403, 409, 503],
    handle: async (deps, { principal, repId }) => {
      const row = await deps.lifecycle.takeNext(principal.siteId, repId);
      return { session: row ? await sessionJson(deps, row) : null };
    },
  }),
];
