import { status } from "@grpc/grpc-js";
import { Actor } from "@handoff/proto/common";
import { PresenceServiceService, type PresenceServiceServer } from "@handoff/proto/presence_service";
import {
  GrpcStatusError,
  InvalidArgumentError,
  optionalId,
  PRESENCE_CALLERS,
  requireEnumValue,
  requireId,
  requireIdList,
  unary,
  withErrorInfo,
  type Logger,
} from "@handoff/runtime";
import type { AcdPort } from "../routing-client/acd-client";
import { RepUnknownError } from "../domain/errors";
import { whyNotRoutable } from "../domain/routability";
import { CAPACITY_CEILING } from "../domain/settings";
import type { PresenceCommands } from "../presence-commands";
import type { PresenceStore } from "../store/presence-store";
import { translated } from "./domain-errors";
import { actorName, reasonToProto, repToProto, stateFromProto } from "./mappers";

/** How long RetireSite waits for the site's outbox to be relayed before it answers UNAVAILABLE. */
const RETIRE_RELAY_WAIT_MS = 10_000;
const MAX_TEAMS_PER_REP = 50;
const MAX_SKILLS = 32;
const REASON_CODE = /^[a-z0-9-]{0,40}$/;

/** The PresenceService gRPC adapter: validates and translates; commands and store do the work. */
export function presenceService(commands: PresenceCommands, store: PresenceStore, acd: AcdPort, logger: Logger) {
  async function existingRep(site: string, repId: string) {
    const rep = await store.rep(site, repId);
    if (!rep) throw new RepUnknownError(repId);
    return rep;
  }

  async function requireTeam(site: string, teamId: string): Promise<void> {
    const config = await acd.routingConfig(site);
    if (!config?.teams.some((t) => t.id === teamId)) {
      throw new InvalidArgumentError("team_id", `team ${teamId} is not in the site's routing config`);
    }
  }

  const implementation: PresenceServiceServer = {
    login: unary("Login", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      const teams = requireIdList(req.teamIds, "team_ids", MAX_TEAMS_PER_REP);
      if (teams.length === 0) throw new InvalidArgumentError("team_ids", "must name at least one team");
      const rep = await translated(() =>
        commands.login(site, repId, teams, optionalId(req.connectionId, "connection_id")),
      );
      return { rep: repToProto(site, rep) };
    }),

    logout: unary("Logout", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      const actorId = optionalId(req.actorId, "actor_id") || repId;
      const actor = actorName(requireEnumValue(req.actor, Actor, "actor"), Actor.ACTOR_REP);
      await translated(() => commands.logout(site, repId, actor, actorId));
      return {};
    }),

    setState: unary("SetState", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      const state = stateFromProto(req.state);
      if (!state) throw new InvalidArgumentError("state", "must be AVAILABLE, AWAY, BUSY or OFFLINE");
      if (!REASON_CODE.test(req.reasonCode)) {
        throw new InvalidArgumentError("reason_code", "at most 40 of a-z, 0-9 and -, e.g. lunch");
      }
      const reason = state === "away" ? req.reasonCode || "away" : "";
      const actor = actorName(requireEnumValue(req.actor, Actor, "actor"), Actor.ACTOR_REP);
      const actorId = optionalId(req.actorId, "actor_id") || repId;
      const rep = await translated(() => commands.setState(site, repId, state, reason, actor, actorId));
      return { rep: repToProto(site, rep) };
    }),

    setCapacity: unary("SetCapacity", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      if (!Number.isInteger(req.capacity) || req.capacity < 1 || req.capacity > CAPACITY_CEILING) {
        throw new InvalidArgumentError("capacity", `must be an integer from 1 to ${CAPACITY_CEILING}`);
      }
      const skills = requireIdList(req.skills, "skills", MAX_SKILLS);
      const rep = await translated(() => commands.setCapacity(site, repId, req.capacity, skills));
      return { rep: repToProto(site, rep) };
    }),

    heartbeat: unary("Heartbeat", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      const connection = requireId(req.connectionId, "connection_id");
      return { nextDeadlineMs: await translated(() => commands.heartbeat(site, repId, connection)) };
    }),

    disconnect: unary("Disconnect", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      await translated(() => commands.disconnect(site, repId, requireId(req.connectionId, "connection_id")));
      return {};
    }),

    reportOfferExpired: unary("ReportOfferExpired", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      await translated(() => commands.offerExpired(site, repId));
      return {};
    }),

    getRep: unary("GetRep", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      const rep = await translated(() => existingRep(site, repId));
      const routing = await acd.repRouting(site, repId);
      return { rep: repToProto(site, rep, routing.load) };
    }),

    listTeamReps: unary("ListTeamReps", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const teamId = requireId(req.teamId, "team_id");
      await requireTeam(site, teamId);
      const reps = await store.teamReps(site, teamId);
      const loads = await Promise.all(reps.map((rep) => acd.repRouting(site, rep.repId)));
      return { reps: reps.map((rep, i) => repToProto(site, rep, loads[i]?.load ?? 0)) };
    }),

    countTeamStates: unary("CountTeamStates", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const teamId = requireId(req.teamId, "team_id");
      await requireTeam(site, teamId);
      const counts = { available: 0, away: 0, busy: 0, offline: 0 };
      for (const rep of await store.teamReps(site, teamId)) counts[rep.state]++;
      return counts;
    }),

    explainRoutability: unary("ExplainRoutability", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      const teamId = optionalId(req.teamId, "team_id");
      if (teamId) await requireTeam(site, teamId);
      const rep = await translated(() => existingRep(site, repId));
      const routing = await acd.repRouting(site, repId);
      const reasons = whyNotRoutable(rep, routing, teamId || undefined);
      return {
        routable: reasons.length === 0,
        reasons: reasons.map(reasonToProto),
        rep: repToProto(site, rep, routing.load),
      };
    }),

    forgetSite: unary("ForgetSite", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const removed = await store.retireSite(site, RETIRE_RELAY_WAIT_MS);
      // The same reason as the acd's RetireSite, so intake retries both alike.
      if (removed === false)
        throw withErrorInfo(
          new GrpcStatusError(status.UNAVAILABLE, `site ${site}'s outbox is not relayed yet; retire it again shortly`),
          "SITE_RETIREMENT_PENDING",
          "handoff.presence",
          { site_id: site },
        );
      return { removedKeys: removed };
    }),

    putPresenceSettings: unary("PutPresenceSettings", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const maxCapacity = req.settings?.maxCapacity ?? 0;
      if (!Number.isInteger(maxCapacity) || maxCapacity < 1 || maxCapacity > CAPACITY_CEILING) {
        throw new InvalidArgumentError("settings.max_capacity", `must be an integer from 1 to ${CAPACITY_CEILING}`);
      }
      const settings = { maxCapacity, keepStateOnNotResponding: req.settings?.keepStateOnNotResponding ?? false };
      await store.putSettings(site, settings);
      return { settings };
    }),
  };
  return {
    name: "handoff.v1.PresenceService",
    definition: PresenceServiceService,
    implementation,
    callers: PRESENCE_CALLERS,
  };
}
