import {
  ACD_CALLERS,
  callerIdentity,
  InvalidArgumentError,
  optionalId,
  requireEnumValue,
  requireEpoch,
  requireId,
  requireIdList,
  serverStream,
  unary,
  type Logger,
} from "@handoff/runtime";
import { AbandonReason, abandonReasonToJSON, SessionState } from "@handoff/proto/common";
import { AcdServiceService, RoutingConfig, type AcdServiceServer } from "@handoff/proto/acd_service";
import { validateRoutingConfig } from "../domain/routing-config";
import { estimateWait } from "../domain/wait-estimator";
import type { OfferFeed } from "../events/offer-feed";
import type { EnqueueInput, HeldSessionInput } from "../store/routing-records";
import type { RoutingStore } from "../store/routing-store";
import {
  ProblemTypeUnknownError,
  RoutingConfigMissingError,
  SessionAlreadyQueuedError,
  SessionNotFoundError,
} from "../domain/errors";
import type { QueueTarget } from "../domain/queue-target";
import {
  MAX_BATCH_SESSIONS,
  MAX_POSITION_BATCH,
  MAX_ROUTING_CONFIG_BYTES,
  MAX_SUBSCRIBED_REPS,
} from "../domain/limits";
import { toGrpcError, translated } from "./domain-errors";
import { configFromProto, configToProto, stateToProto, targetToProto } from "./mappers";
import { OfferSubscriptions } from "./offer-subscriptions";
import { requireIds, requireKnownEpoch, requirePriority, requireSkills, requireTarget } from "./request-validation";

/** Bounds what one rebuild call may carry (waiting and held sessions together). */
const MAX_REBUILD_SESSIONS = 10_000;
const MAX_CAPACITY = 100;
/** How long RetireSite waits for the site's outbox to be relayed before it answers UNAVAILABLE. */
const RETIRE_RELAY_WAIT_MS = 10_000;

/** The AcdService gRPC adapter: validates and translates, the store does the routing. */
export function acdService(
  store: RoutingStore,
  feed: OfferFeed,
  logger: Logger,
  /** At most one recorded estimate per session per this interval (and per epoch). */
  estimateRecordIntervalMs: number,
  /** Offer streams one caller identity may hold open on this replica. */
  maxStreamsPerCaller: number,
) {
  const subscriptions = new OfferSubscriptions(store, feed, maxStreamsPerCaller);
  /**
   * A session's position and estimate. Only an estimate shown to the customer (`recordEstimate`) is
   * recorded, so reporting can check it against his real wait; other reads write nothing.
   */
  async function positionOf(site: string, sessionId: string, recordEstimate: boolean) {
    const facts = await store.positionFacts(site, sessionId);
    const estimate = facts.position > 0 ? estimateWait(facts) : { p50Ms: 0, p90Ms: 0, known: false };
    if (recordEstimate && facts.position > 0)
      await store.recordEstimate(site, sessionId, facts.epoch, facts.position, estimate, estimateRecordIntervalMs);
    return { facts, position: { position: facts.position, queueLength: facts.queueLength, estimate } };
  }

  /** The team queue a problem type's sessions wait in. */
  async function teamOfProblemType(site: string, problemTypeId: string): Promise<QueueTarget> {
    const stored = await store.getConfig(site);
    if (!stored) throw new RoutingConfigMissingError(site);
    const problemType = stored.config.problemTypes.find((p) => p.id === problemTypeId);
    if (!problemType) throw new ProblemTypeUnknownError(problemTypeId);
    return { kind: "team", id: problemType.teamId };
  }

  const implementation: AcdServiceServer = {
    putRoutingConfig: unary("PutRoutingConfig", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      if (!req.config) throw new InvalidArgumentError("config", "is required");
      const input = configFromProto(req.config);
      const config = await translated(() => Promise.resolve().then(() => validateRoutingConfig(input)));
      const answerBytes = RoutingConfig.encode(configToProto(config, Number.MAX_SAFE_INTEGER)).finish().length;
      if (answerBytes > MAX_ROUTING_CONFIG_BYTES)
        throw new InvalidArgumentError(
          "config",
          `encodes to ${answerBytes} bytes, more than ${MAX_ROUTING_CONFIG_BYTES}`,
        );
      return { version: await translated(() => store.putConfig(site, config)) };
    }),

    retireSite: unary("RetireSite", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      return { removedKeys: await translated(() => store.retireSite(site, RETIRE_RELAY_WAIT_MS)) };
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
      // The customer is told this place: the first estimate of his wait.
      const { position } = await translated(() => positionOf(site, sessionId, true));
      return { offeredRepId: "", position };
    }),

    abandonSession: unary("AbandonSession", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const reason =
        req.reason === AbandonReason.ABANDON_REASON_UNSPECIFIED
          ? AbandonReason.ABANDON_REASON_CUSTOMER_LEFT
          : requireEnumValue(req.reason, AbandonReason, "reason");
      await translated(() => store.abandon(site, sessionId, abandonReasonToJSON(reason)));
      return {};
    }),

    setAwayFlag: unary("SetAwayFlag", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      if (!Number.isSafeInteger(req.version) || req.version < 1)
        throw new InvalidArgumentError("version", "must be an integer ≥ 1");
      const change = await translated(() => store.setAway(site, sessionId, req.away, req.version));
      return { applied: change.applied, away: change.away, offeredRepId: change.offeredRepId ?? "" };
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
      await translated(() =>
        store.end(
          site,
          requireId(req.sessionId, "session_id"),
          requireId(req.repId, "rep_id"),
          requireEpoch(req.epoch, "epoch"),
        ),
      );
      return {};
    }),

    handOverSession: unary("HandOverSession", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const fromRepId = requireId(req.fromRepId, "from_rep_id");
      const toRepId = requireId(req.toRepId, "to_rep_id");
      await translated(() => store.handOver(site, sessionId, requireEpoch(req.epoch, "epoch"), fromRepId, toRepId));
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
      return { position: (await translated(() => positionOf(site, sessionId, true))).position };
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
      const sessionId = requireId(req.sessionId, "session_id");
      const { facts, position } = await translated(() => positionOf(site, sessionId, req.recordEstimate));
      return { position, state: stateToProto(facts.state) };
    }),

    batchGetQueuePositions: unary("BatchGetQueuePositions", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const sessionIds = requireIdList(req.sessionIds, "session_ids", MAX_POSITION_BATCH);
      // Issued together, so the client's connection pipelines the script calls: one round trip, not one each.
      const positions = await translated(() =>
        Promise.all(
          sessionIds.map(async (sessionId) => {
            try {
              const { facts, position } = await positionOf(site, sessionId, req.recordEstimate);
              return { sessionId, known: true, position, state: stateToProto(facts.state) };
            } catch (error) {
              if (!(error instanceof SessionNotFoundError)) throw error;
              return { sessionId, known: false, position: undefined, state: SessionState.SESSION_STATE_UNSPECIFIED };
            }
          }),
        ),
      );
      return { positions };
    }),

    estimateWait: unary("EstimateWait", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const problemTypeId = optionalId(req.problemTypeId, "problem_type_id");
      const target =
        req.target?.target || !problemTypeId
          ? requireTarget(req.target, "target")
          : await translated(() => teamOfProblemType(site, problemTypeId));
      const facts = await translated(() => store.newcomerFacts(site, target), {
        team: problemTypeId ? "problem_type_id" : "target.team_id",
      });
      return { position: { position: facts.position, queueLength: facts.queueLength, estimate: estimateWait(facts) } };
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
      const subscriberId = requireId(req.subscriberId, "subscriber_id");
      if (req.repIds.length === 0) throw new InvalidArgumentError("rep_ids", "must name at least one rep");
      const repIds = requireIds(req.repIds, "rep_ids", MAX_SUBSCRIBED_REPS);
      const owner = { identity: callerIdentity(call.getAuthContext()) ?? "", connection: call.getPeer() };
      await translated(() => subscriptions.serve(site, subscriberId, owner, [...new Set(repIds)], call));
    }),

    rebuildQueues: unary("RebuildQueues", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      if (req.sessions.length + req.held.length > MAX_REBUILD_SESSIONS) {
        const field = req.sessions.length > req.held.length ? "sessions" : "held";
        throw new InvalidArgumentError(field, `at most ${MAX_REBUILD_SESSIONS} sessions and held sessions per call`);
      }
      const waiting = req.sessions.map((s, i): EnqueueInput & { field: string } => {
        const field = `sessions[${i}]`;
        const problemTypeId = optionalId(s.problemTypeId, `${field}.problem_type_id`);
        return {
          field,
          sessionId: requireId(s.sessionId, `${field}.session_id`),
          target: s.target?.target || !problemTypeId ? requireTarget(s.target, `${field}.target`) : undefined,
          problemTypeId,
          priority: requirePriority(s.priority, `${field}.priority`),
          requiredSkills: requireSkills(s.requiredSkills, `${field}.required_skills`),
          enqueuedAtMs: s.enqueuedAtMs > 0 ? s.enqueuedAtMs : Date.now(),
          rebuilt: true,
          epoch: requireKnownEpoch(s.epoch, `${field}.epoch`),
        };
      });
      const held = req.held.map((h, i): HeldSessionInput & { field: string } => {
        const field = `held[${i}]`;
        return {
          field,
          sessionId: requireId(h.sessionId, `${field}.session_id`),
          repId: requireId(h.repId, `${field}.rep_id`),
          epoch: requireEpoch(h.epoch, `${field}.epoch`),
          target: requireTarget(h.target, `${field}.target`),
          priority: requirePriority(h.priority, `${field}.priority`),
          enqueuedAtMs: h.enqueuedAtMs > 0 ? h.enqueuedAtMs : Date.now(),
        };
      });
      let restored = 0;
      let skipped = 0;
      let heldRestored = 0;
      // Held sessions first, so their reps' load counts before the waiting sessions are matched.
      for (const input of held) {
        const fields = { team: `${input.field}.target.team_id`, rep: `${input.field}.target.rep_id` };
        if (await translated(() => store.restoreHeld(site, input), fields)) heldRestored++;
        else skipped++;
      }
      // Oldest first, so sequence numbers agree with the original order for equal times.
      waiting.sort((a, b) => a.enqueuedAtMs! - b.enqueuedAtMs!);
      for (const input of waiting) {
        try {
          if ((await store.enqueue(site, input)).existing) skipped++;
          else restored++;
        } catch (error) {
          if (!(error instanceof SessionAlreadyQueuedError))
            throw toGrpcError(error, { team: `${input.field}.target.team_id`, rep: `${input.field}.target.rep_id` });
          skipped++;
        }
      }
      return { restored, skipped, heldRestored };
    }),

    requeueSession: unary("RequeueSession", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const epoch = requireEpoch(req.epoch, "epoch");
      const target = req.target?.target ? requireTarget(req.target, "target") : undefined;
      const reason = optionalId(req.reason, "reason");
      const requeued = await translated(() => store.requeue(site, sessionId, epoch, target, reason), {
        team: "target.team_id",
        rep: "target.rep_id",
      });
      if (requeued.offeredRepId) {
        return {
          offeredRepId: requeued.offeredRepId,
          epoch: requeued.epoch,
          position: { position: 0, queueLength: requeued.queueLength },
        };
      }
      const { position } = await translated(() => positionOf(site, sessionId, true));
      return { offeredRepId: "", epoch: requeued.epoch, position };
    }),

    batchGetSessionRouting: unary("BatchGetSessionRouting", logger, async (req) => {
      const site = requireId(req.siteId, "site_id");
      const sessionIds = requireIds(req.sessionIds, "session_ids", MAX_BATCH_SESSIONS);
      if (sessionIds.length === 0) return { sessions: [] };
      const found = await translated(() => store.sessions(site, sessionIds));
      return {
        sessions: found.map((s) => ({
          sessionId: s.sessionId,
          known: s.known,
          state: s.state ? stateToProto(s.state) : SessionState.SESSION_STATE_UNSPECIFIED,
          repId: s.repId,
          epoch: s.epoch,
          target: s.target ? targetToProto(s.target) : undefined,
        })),
      };
    }),
  };
  return { name: "handoff.v1.AcdService", definition: AcdServiceService, implementation, callers: ACD_CALLERS };
}
