import { status } from "@grpc/grpc-js";
import {
  GrpcStatusError,
  InvalidArgumentError,
  optionalId,
  requireId,
  serverStream,
  unary,
  type Logger,
} from "@handoff/runtime";
import { AbandonReason, abandonReasonToJSON } from "@handoff/proto/common";
import { AcdServiceService, type AcdServiceServer } from "@handoff/proto/acd_service";
import { validateRoutingConfig } from "../domain/routing-config";
import { estimateWait } from "../domain/wait-estimator";
import type { OfferFeed } from "../events/offer-feed";
import type { RoutingStore } from "../store/routing-store";
import { SessionAlreadyQueuedError } from "../domain/errors";
import { toGrpcError, translated } from "./domain-errors";
import { configFromProto, configToProto, stateToProto, targetToProto } from "./mappers";
import { OfferSubscriptions } from "./offer-subscriptions";
import { requireEpoch, requirePriority, requireSkills, requireTarget } from "./request-validation";

/** Bounds what one rebuild call may carry. */
const MAX_REBUILD_SESSIONS = 10_000;
const MAX_CAPACITY = 100;

/** The AcdService gRPC adapter: validates and translates, the store does the routing. */
export function acdService(store: RoutingStore, feed: OfferFeed, logger: Logger) {
  const subscriptions = new OfferSubscriptions(store, feed);
  /** Position with a recorded estimate: every estimate a customer sees can be checked later. */
  async function positionOf(site: string, sessionId: string) {
    const facts = await store.positionFacts(site, sessionId);
    const estimate = facts.position > 0 ? estimateWait(facts) : { p50Ms: 0, p90Ms: 0, known: false };
    if (facts.position > 0) await store.recordEstimate(site, sessionId, facts.epoch, facts.position, estimate);
    return { facts, position: { position: facts.position, queueLength: facts.queueLength, estimate } };
  }

  const implementation: AcdServiceServer = {
    putRoutingConfig: unary("PutRoutingConfig", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      if (!req.config) throw new InvalidArgumentError("config", "is required");
      const input = configFromProto(req.config);
      const config = await translated(() => Promise.resolve().then(() => validateRoutingConfig(input)));
      return { version: await translated(() => store.putConfig(site, config)) };
    }),

    getRoutingConfig: unary("GetRoutingConfig", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const stored = await store.getConfig(site);
      if (!stored) throw new InvalidArgumentError("site_id", `site ${site} has no routing config yet`);
      return { config: configToProto(stored.config, stored.version) };
    }),

    enqueueSession: unary("EnqueueSession", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const problemTypeId = optionalId(req.problemTypeId, "problem_type_id");
      const target = req.target?.target || !problemTypeId ? requireTarget(req.target, "target") : undefined;
      const placement = await translated(
        () =>
          store.enqueue(site, {
            sessionId,
            target,
            problemTypeId,
            priority: requirePriority(req.priority, "priority"),
            requiredSkills: requireSkills(req.requiredSkills, "required_skills"),
          }),
        { team: "target.team_id", rep: "target.rep_id" },
      );
      if (placement.offeredRepId) {
        return { offeredRepId: placement.offeredRepId, position: { position: 0, queueLength: placement.queueLength } };
      }
      const { position } = await translated(() => positionOf(site, sessionId));
      return { offeredRepId: "", position };
    }),

    abandonSession: unary("AbandonSession", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const reason =
        req.reason === AbandonReason.ABANDON_REASON_UNSPECIFIED
          ? AbandonReason.ABANDON_REASON_CUSTOMER_LEFT
          : req.reason;
      if (!(reason in AbandonReason) || reason === AbandonReason.UNRECOGNIZED) {
        throw new InvalidArgumentError("reason", "is not a known AbandonReason");
      }
      await translated(() => store.abandon(site, sessionId, abandonReasonToJSON(reason)));
      return {};
    }),

    acceptOffer: unary("AcceptOffer", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      await translated(() =>
        store.accept(
          site,
          requireId(req.sessionId, "session_id"),
          requireId(req.repId, "rep_id"),
          requireEpoch(req.epoch, "epoch"),
        ),
      );
      return {};
    }),

    rejectOffer: unary("RejectOffer", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      await translated(() =>
        store.reject(
          site,
          requireId(req.sessionId, "session_id"),
          requireId(req.repId, "rep_id"),
          requireEpoch(req.epoch, "epoch"),
        ),
      );
      return {};
    }),

    endSession: unary("EndSession", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      await translated(() => store.end(site, requireId(req.sessionId, "session_id"), requireEpoch(req.epoch, "epoch")));
      return {};
    }),

    transferSession: unary("TransferSession", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const target = requireTarget(req.target, "target");
      const placement = await translated(
        () => store.transfer(site, sessionId, requireEpoch(req.epoch, "epoch"), target),
        {
          team: "target.team_id",
          rep: "target.rep_id",
        },
      );
      if (placement.offeredRepId) return { position: { position: 0, queueLength: placement.queueLength } };
      return { position: (await translated(() => positionOf(site, sessionId))).position };
    }),

    pullNextSession: unary("PullNextSession", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      const pulled = await translated(() => store.pull(site, repId));
      if (!pulled) return {};
      return {
        offer: {
          siteId: site,
          sessionId: pulled.sessionId,
          repId,
          epoch: pulled.epoch,
          expiresAtMs: pulled.expiresAtMs,
          fromQueue: targetToProto(pulled.from),
        },
      };
    }),

    setRepCapacity: unary("SetRepCapacity", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const repId = requireId(req.repId, "rep_id");
      if (!Number.isInteger(req.routableCapacity) || req.routableCapacity < 0 || req.routableCapacity > MAX_CAPACITY) {
        throw new InvalidArgumentError("routable_capacity", `must be an integer from 0 to ${MAX_CAPACITY}`);
      }
      if (!Number.isInteger(req.version) || req.version < 1) throw new InvalidArgumentError("version", "must be ≥ 1");
      req.teamIds.forEach((team, i) => requireId(team, `team_ids[${i}]`));
      const result = await translated(() =>
        store.setRepCapacity(site, {
          repId,
          version: req.version,
          routableCapacity: req.routableCapacity,
          teamIds: [...new Set(req.teamIds)],
          skills: requireSkills(req.skills, "skills"),
          connected: req.connected,
        }),
      );
      return { applied: result.applied, storedVersion: result.storedVersion };
    }),

    getQueuePosition: unary("GetQueuePosition", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const { facts, position } = await translated(() => positionOf(site, requireId(req.sessionId, "session_id")));
      return { position, state: stateToProto(facts.state) };
    }),

    getTeamAvailability: unary("GetTeamAvailability", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      return translated(() => store.teamAvailability(site, requireId(req.teamId, "team_id")), { team: "team_id" });
    }),

    getSessionRouting: unary("GetSessionRouting", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const session = await translated(() => store.session(site, requireId(req.sessionId, "session_id")));
      return {
        state: stateToProto(session.state),
        repId: session.repId,
        epoch: session.epoch,
        target: targetToProto(session.target),
        priority: session.priority,
      };
    }),

    getRepRouting: unary("GetRepRouting", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      return translated(() => store.rep(site, requireId(req.repId, "rep_id")));
    }),

    subscribeOffers: serverStream("SubscribeOffers", logger, async (req, call) => {
      const site = requireId(req.siteId, "site_id");
      requireId(req.subscriberId, "subscriber_id");
      if (req.repIds.length === 0) throw new InvalidArgumentError("rep_ids", "must name at least one rep");
      req.repIds.forEach((rep, i) => requireId(rep, `rep_ids[${i}]`));
      await subscriptions.serve(site, req.subscriberId, req.repIds, call);
    }),

    rebuildQueues: unary("RebuildQueues", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      if (req.sessions.length > MAX_REBUILD_SESSIONS) {
        throw new InvalidArgumentError("sessions", `at most ${MAX_REBUILD_SESSIONS} per call`);
      }
      const inputs = req.sessions.map((s, i) => {
        const field = `sessions[${i}]`;
        const problemTypeId = optionalId(s.problemTypeId, `${field}.problem_type_id`);
        return {
          sessionId: requireId(s.sessionId, `${field}.session_id`),
          target: s.target?.target || !problemTypeId ? requireTarget(s.target, `${field}.target`) : undefined,
          problemTypeId,
          priority: requirePriority(s.priority, `${field}.priority`),
          requiredSkills: requireSkills(s.requiredSkills, `${field}.required_skills`),
          enqueuedAtMs: s.enqueuedAtMs > 0 ? s.enqueuedAtMs : Date.now(),
          rebuilt: true,
        };
      });
      // Oldest first, so sequence numbers agree with the original order for equal times.
      inputs.sort((a, b) => a.enqueuedAtMs - b.enqueuedAtMs);
      let restored = 0;
      let skipped = 0;
      for (const input of inputs) {
        try {
          await store.enqueue(site, input);
          restored++;
        } catch (error) {
          if (!(error instanceof SessionAlreadyQueuedError))
            throw toGrpcError(error, { team: "sessions.target.team_id", rep: "sessions.target.rep_id" });
          skipped++;
        }
      }
      return { restored, skipped, heldRestored: 0 };
    }),

    requeueSession: unary("RequeueSession", logger, () =>
      Promise.reject(new GrpcStatusError(status.UNIMPLEMENTED, "RequeueSession is not implemented yet")),
    ),

    batchGetSessionRouting: unary("BatchGetSessionRouting", logger, () =>
      Promise.reject(new GrpcStatusError(status.UNIMPLEMENTED, "BatchGetSessionRouting is not implemented yet")),
    ),
  };
  return { name: "handoff.v1.AcdService", definition: AcdServiceService, implementation };
}
