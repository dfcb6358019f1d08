import { status, type ServiceError } from "@grpc/grpc-js";
import { Actor, RepState } from "@handoff/proto/common";
import type { RepStateChanged } from "@handoff/proto/events";
import { createRedis, redisReady, type RedisClient } from "@handoff/runtime";
import { connectPresence, infrastructureEnv, type Presence } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "../support/eventually";
import { PresenceEventLog } from "../support/presence-event-log";
import { PresenceStack } from "../support/presence-stack";
import { prng } from "@handoff/testing";
import { newSite, putTeams, team } from "../support/site-fixture";

const CLIENTS = 20;
const OPS_PER_CLIENT = 50;
const REPS = Array.from({ length: 10 }, (_, i) => `rep-${i}`);
const TEAMS = ["support", "sales", "billing"];
const SEED = Number(process.env.STATE_ORDERING_SEED ?? Date.now() % 1_000_000);

type Op = (presence: Presence, siteId: string, repId: string) => Promise<unknown>;

/** The traffic mix: mostly state flips and capacity changes, some logouts and logins. */
function pickOp(random: () => number): [string, Op] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const actor = pick([Actor.ACTOR_REP, Actor.ACTOR_SUPERVISOR]);
  const setState =
    (state: RepState, reasonCode = ""): Op =>
    (p, siteId, repId) =>
      p.setState({ siteId, repId, state, reasonCode, actor, actorId: "" });
  const roll = random();
  if (roll < 0.3) return ["available", setState(RepState.REP_STATE_AVAILABLE)];
  if (roll < 0.5) return ["away", setState(RepState.REP_STATE_AWAY, pick(["break", "lunch", "training"]))];
  if (roll < 0.65) return ["busy", setState(RepState.REP_STATE_BUSY)];
  if (roll < 0.68) return ["offline", setState(RepState.REP_STATE_OFFLINE)];
  if (roll < 0.88) {
    const capacity = 1 + Math.floor(random() * 5);
    const skills = random() < 0.5 ? ["fr"] : [];
    return ["capacity", (p, siteId, repId) => p.setCapacity({ siteId, repId, capacity, skills })];
  }
  if (roll < 0.93)
    return ["logout", (p, siteId, repId) => p.logout({ siteId, repId, actor: Actor.ACTOR_REP, actorId: repId })];
  const teamIds = TEAMS.filter((_, i) => i === 0 || random() < 0.5);
  const connectionId = pick(["desk", "laptop", ""]);
  return [
    "login",
    (p, siteId, repId) => p.login({ siteId, repId, teamIds, connectionId: connectionId && `${repId}-${connectionId}` }),
  ];
}

describe("state ordering under concurrent clients", () => {
  const siteId = newSite();
  let stack: PresenceStack;
  let events: PresenceEventLog;
  let redis: RedisClient;
  beforeAll(async () => {
    redis = createRedis({ url: infrastructureEnv().REDIS_URL });
    [stack, events] = await Promise.all([PresenceStack.start(), PresenceEventLog.start(), redisReady(redis)]);
    await putTeams(
      stack.acd,
      siteId,
      TEAMS.map((id) => team(id, { memberRepIds: REPS })),
    );
  });
  afterAll(async () => {
    await events?.stop();
    await stack?.stop();
    redis?.disconnect();
  });

  it("ends with presence and the acd agreeing on every rep, and an event chain that sums to the state durations", async () => {
    for (const repId of REPS) {
      await stack.presence.login({ siteId, repId, teamIds: ["support"], connectionId: `${repId}-desk` });
    }
    const outcomes = new Map<string, number>();
    const unexpected: string[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        const generator = prng(SEED * 100 + c);
        const random = () => generator.next();
        const client = connectPresence(`127.0.0.1:${stack.presenceProcess.grpcPort}`);
        try {
          for (let i = 0; i < OPS_PER_CLIENT; i++) {
            const repId = REPS[Math.floor(random() * REPS.length)]!;
            const [name, op] = pickOp(random);
            const outcome = await op(client, siteId, repId).then(
              () => "ok",
              (error: ServiceError) =>
                error.code === status.FAILED_PRECONDITION ? "not logged in" : `${error.code} ${error.details}`,
            );
            if (outcome !== "ok" && outcome !== "not logged in") unexpected.push(`${name} ${repId}: ${outcome}`);
            outcomes.set(`${name} ${outcome}`, (outcomes.get(`${name} ${outcome}`) ?? 0) + 1);
          }
        } finally {
          client.close();
        }
      }),
    );
    const flipMs = Date.now() - started;
    console.log(
      `seed ${SEED}: ${CLIENTS * OPS_PER_CLIENT} calls in ${flipMs} ms`,
      Object.fromEntries([...outcomes].sort()),
    );
    expect(unexpected).toEqual([]);
    expect([...outcomes.values()].reduce((a, b) => a + b)).toBe(CLIENTS * OPS_PER_CLIENT);

    // Presence's view, as the acd must hold it (routable capacity = capacity while available).
    const views = async () => {
      const reps = await Promise.all(REPS.map(async (repId) => (await stack.presence.getRep({ siteId, repId })).rep!));
      const routing = await Promise.all(REPS.map((repId) => stack.acd.getRepRouting({ siteId, repId })));
      const expected = reps.map((rep) => ({
        repId: rep.repId,
        version: rep.version,
        routableCapacity: rep.state === RepState.REP_STATE_AVAILABLE ? rep.capacity : 0,
        connected: rep.liveConnections > 0,
        teamIds: [...rep.teamIds].sort(),
      }));
      const actual = routing.map((r, i) => ({
        repId: REPS[i],
        version: r.version,
        routableCapacity: r.routableCapacity,
        connected: r.connected,
        teamIds: [...r.teamIds].sort(),
      }));
      return { reps, expected, actual };
    };
    const settleMs = await waitUntil(async () => {
      const { expected, actual } = await views();
      return JSON.stringify(expected) === JSON.stringify(actual);
    }, 5_000);
    const { reps, expected, actual } = await views();
    expect(actual).toEqual(expected);
    console.log(`presence and acd agreed ${settleMs} ms after the last call`);

    const relayed = (await events.waitForRelay(redis, siteId)).length;
    const now = Date.now();
    for (const rep of reps) {
      const chain = events
        .events(siteId)
        .filter((e) => e.event.repId === rep.repId && e.event.payload?.$case === "repStateChanged")
        .map((e) => ({
          at: e.event.occurredAtMs,
          ...(e.event.payload as { repStateChanged: RepStateChanged }).repStateChanged,
        }));
      expect(chain[0]).toMatchObject({
        previousState: RepState.REP_STATE_OFFLINE,
        previousDurationMs: 0,
        state: RepState.REP_STATE_AVAILABLE,
      });
      const links = chain.slice(1).map((event, i) => {
        const previous = chain[i]!;
        return {
          previousState: event.previousState === previous.state,
          previousReasonCode: event.previousReasonCode === previous.reasonCode,
          previousDurationMs: event.previousDurationMs === event.at - previous.at,
          changed: event.state !== event.previousState || event.reasonCode !== event.previousReasonCode,
        };
      });
      const broken = links.flatMap((link, i) => (Object.values(link).every(Boolean) ? [] : [{ at: i + 1, ...link }]));
      expect(broken, `${rep.repId}: links of ${chain.length} state changes`).toEqual([]);
      const last = chain.at(-1)!;
      expect({ state: last.state, reasonCode: last.reasonCode, since: last.at }).toEqual({
        state: rep.state,
        reasonCode: rep.reasonCode,
        since: rep.stateSinceMs,
      });
      // changeState stores `since` = the event's time and puts now − previous since into the next
      // event, both from Redis TIME in ms: the identity is exact, with no rounding to allow for.
      const summed = chain.slice(1).reduce((sum, e) => sum + e.previousDurationMs, 0) + (now - rep.stateSinceMs);
      expect(summed, rep.repId).toBe(now - chain[0]!.at);
    }
    const changes = events.events(siteId).filter((e) => e.event.payload?.$case === "repStateChanged").length;
    console.log(`${relayed} presence events relayed, ${changes} of them state changes`);
  });
});
