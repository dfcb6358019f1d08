import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoutingConfig } from "@handoff/proto/acd_service";
import { SessionState, StartMethod } from "@handoff/proto/common";
import {
  asCustomer,
  createRequest,
  eventually,
  newSiteId,
  prng,
  type SessionStack,
  teamConfig,
} from "@handoff/testing";
import { Redis } from "ioredis";
import pg from "pg";
import { startPrivateStack, type PrivateStack } from "../support/private-stack";
import { RepDesks, sleep } from "../support/rep-desks";
import { historyViolations, openSessions, siteHistories } from "../support/session-invariants";

const SEED = Number(process.env.TEST_SEED ?? Date.now() % 1_000_000);
/** Bounds of the load: sessions asked for, customers at once, and time. */
const SESSIONS = 120;
const CUSTOMERS = 6;
const LOAD_MS = 20_000;
const REPS = ["r1", "r2", "r3", "r4", "r5"];

const config = (): RoutingConfig => ({
  version: 0,
  teams: [teamConfig("t1", { memberRepIds: REPS, offerTimeoutMs: 10_000 })],
  problemTypes: [{ id: "printers", label: "Printers", teamId: "t1", priority: 0, requiredSkills: [] }],
});

const LIVE = new Set([
  SessionState.SESSION_STATE_WAITING,
  SessionState.SESSION_STATE_OFFERED,
  SessionState.SESSION_STATE_ACTIVE,
]);

describe("Redis FLUSHALL in the middle of a load", () => {
  let env: PrivateStack;
  let db: pg.Pool;
  let redis: Redis;
  beforeAll(async () => {
    env = await startPrivateStack({ brokers: 2, brokerEnv: { RECONCILE_INTERVAL_MS: "500" } });
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
    redis = new Redis(env.redisUrl);
  }, 120_000);
  afterAll(async () => {
    redis?.disconnect();
    await db?.end();
    await env?.stop();
  });

  /** Every session the acd holds of `ids` (1,000 at most per call), by id. */
  async function acdRouting(stack: SessionStack, siteId: string, ids: string[]) {
    const { sessions } = await stack.acd.batchGetSessionRouting({ siteId, sessionIds: ids });
    return new Map(sessions.map((s) => [s.sessionId, s]));
  }

  it("withdraws in PostgreSQL an offer the acd no longer has, once the disagreement has lasted", async () => {
    const { stack } = env;
    const siteId = newSiteId();
    await stack.acd.putRoutingConfig({ siteId, config: config() });
    // No rep is online: the session waits in the acd.
    const { session } = await stack.broker.createSession(
      createRequest(siteId, { startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION, problemTypeId: "printers" }),
    );
    const sessionId = session!.sessionId;
    const rowState = async () =>
      (
        await db.query<{ state: string; rep_id: string | null }>(
          "select state, rep_id from sessions where site_id = $1 and session_id = $2",
          [siteId, sessionId],
        )
      ).rows[0];
    await eventually(async () => (await rowState())?.state === "waiting", 10_000, "the session waiting");
    // What a lost OfferExpired (or a rebuild that found the row changed) leaves: PostgreSQL still
    // shows an offer to r1 that the acd, holding the session as waiting, does not have.
    await db.query(
      "update sessions set state = 'offered', rep_id = 'r1', offer_expires_at_ms = $3 where site_id = $1 and session_id = $2",
      [siteId, sessionId, Date.now() + 60_000],
    );
    expect((await acdRouting(stack, siteId, [sessionId])).get(sessionId)?.state).toBe(
      SessionState.SESSION_STATE_WAITING,
    );
    const repaired = await eventually(
      async () => {
        const row = await rowState();
        return row?.state === "waiting" ? row : undefined;
      },
      20_000,
      "the offer withdrawn in PostgreSQL",
    );
    expect(repaired.rep_id).toBeNull();
    const [history] = (await siteHistories(db, siteId)).filter((h) => h.sessionId === sessionId);
    const lapsed = history!.events.flatMap((e) =>
      e.payload?.$case === "sessionOfferLapsed" ? [e.payload.sessionOfferLapsed] : [],
    );
    expect(lapsed).toMatchObject([{ repId: "r1", outcome: "withdrawn" }]);
  }, 60_000);

  it("restores every waiting session at its place; no session is lost or assigned twice", async () => {
    console.log(`reconciler load seed ${SEED} (TEST_SEED=${SEED} replays it)`);
    const random = prng(SEED).next;
    const { stack } = env;
    const brokers = () => stack.brokers.map((b) => b.client);
    const siteId = newSiteId();
    await stack.acd.putRoutingConfig({ siteId, config: config() });
    // The desks see offers through PostgreSQL: an offer that expires before they do (the routing
    // events of a flushed outbox are lost) must not send the rep away.
    const presenceSettings = { maxCapacity: 5, keepStateOnNotResponding: true };
    await stack.presence.putPresenceSettings({ siteId, settings: presenceSettings });
    for (const rep of REPS) await stack.repOnline(siteId, rep, ["t1"]);
    let flushedAt = 0;
    // Before the flush one session in three is worked on until the queue has been compared, so the acd
    // must hold it again for its rep; the others, and all after the flush, are short.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    const holdMs = () => {
      if (flushedAt !== 0 || random() >= 1 / 3) return 200 + random() * 2_000;
      held++;
      return released;
    };
    const desks = new RepDesks(db, { siteId, repIds: REPS, brokers, random, holdMs });
    desks.start();

    const acknowledged = new Map<string, string>();
    let asked = 0;
    let refusedCreates = 0;
    const leaving: Promise<unknown>[] = [];
    const deadline = Date.now() + LOAD_MS;
    const customer = async () => {
      while (asked < SESSIONS && Date.now() < deadline) {
        const index = asked++;
        if (index === SESSIONS / 2) {
          // The flush must find a session being worked on, which the acd then has to hold again: on a
          // slow machine the reps had accepted too few by now to draw one (CI: 0 active afterwards).
          await eventually(() => held > 0, 20_000, "a session held by its rep");
          // Everything in Redis goes: queues, offers, reps, configs, outboxes, the leader lock.
          await redis.flushall();
          flushedAt = Date.now();
          await stack.acd.putRoutingConfig({ siteId, config: config() });
          await stack.presence.putPresenceSettings({ siteId, settings: presenceSettings });
        }
        const broker = brokers()[Math.floor(random() * stack.brokers.length)]!;
        try {
          const { session, customerToken } = await broker.createSession(
            createRequest(siteId, {
              startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION,
              problemTypeId: "printers",
            }),
          );
          acknowledged.set(session!.sessionId, customerToken);
          // One customer in five gives up waiting after a while (the queue loses him: abandoned).
          if (random() < 0.2) {
            const after = 200 + random() * 3_000;
            leaving.push(
              sleep(after).then(async () => {
                const { rows } = await db.query<{ state: string }>(
                  "select state from sessions where site_id = $1 and session_id = $2",
                  [siteId, session!.sessionId],
                );
                if (rows[0]?.state === "active") return;
                await broker
                  .closeSession({
                    siteId,
                    sessionId: session!.sessionId,
                    requester: asCustomer(customerToken),
                    reason: 0,
                    abandonReason: 0,
                  })
                  .catch(() => undefined);
              }),
            );
          }
        } catch {
          refusedCreates++;
        }
        await sleep(20 + random() * 100);
      }
    };
    await Promise.all(Array.from({ length: CUSTOMERS }, customer));
    await Promise.all(leaving);
    expect(flushedAt).toBeGreaterThan(0);

    // The reps are gone with presence's state: nothing is offered until they log in again, so the
    // queue stands still and its order can be compared with PostgreSQL's.
    const order = await eventually(
      async () => {
        const { rows } = await db.query<{ session_id: string; state: string; enqueued_at_ms: string }>(
          `select session_id, state, enqueued_at_ms from sessions where site_id = $1
           and state in ('created', 'waiting', 'offered') order by enqueued_at_ms, session_id`,
          [siteId],
        );
        if (rows.some((r) => r.state !== "waiting")) return undefined;
        const routing = await acdRouting(
          stack,
          siteId,
          rows.map((r) => r.session_id),
        );
        if (rows.some((r) => routing.get(r.session_id)?.state !== SessionState.SESSION_STATE_WAITING)) return undefined;
        const positions = await Promise.all(
          rows.map(async (r) => {
            const { position } = await stack.acd.getQueuePosition({
              siteId,
              sessionId: r.session_id,
              recordEstimate: false,
            });
            return { time: Number(r.enqueued_at_ms), position: position?.position ?? 0, length: position?.queueLength };
          }),
        );
        const { rows: active } = await db.query<{ session_id: string; rep_id: string }>(
          "select session_id, rep_id from sessions where site_id = $1 and state = 'active'",
          [siteId],
        );
        const held = await acdRouting(
          stack,
          siteId,
          active.map((r) => r.session_id),
        );
        if (active.some((r) => held.get(r.session_id)?.state !== SessionState.SESSION_STATE_ACTIVE)) return undefined;
        return { rows, positions, active, held };
      },
      30_000,
      "every waiting session back in the acd, every active one held",
    );
    expect(order.rows.length).toBeGreaterThan(0);
    // Sessions being worked on are held for the rep PostgreSQL committed them to (his load).
    console.log(`${order.active.length} active sessions held again by the acd`);
    expect(order.active.map((r) => order.held.get(r.session_id)?.repId)).toEqual(order.active.map((r) => r.rep_id));
    expect(order.active.length).toBeGreaterThan(0);
    release();
    // The acd's queue holds exactly PostgreSQL's waiting sessions, in enqueue-time order.
    expect(order.positions.map((p) => p.length)).toEqual(order.positions.map(() => order.rows.length));
    expect([...order.positions.map((p) => p.position)].sort((a, b) => a - b)).toEqual(order.rows.map((_, i) => i + 1));
    for (let i = 1; i < order.positions.length; i++) {
      const [before, after] = [order.positions[i - 1]!, order.positions[i]!];
      if (before.time < after.time) expect(before.position).toBeLessThan(after.position);
    }
    for (const rep of REPS) {
      stack.repConnectionLost(siteId, rep);
      await stack.repOnline(siteId, rep, ["t1"]);
    }
    await eventually(
      async () => {
        const { rows } = await db.query<{ n: string }>(
          "select count(*) as n from sessions where site_id = $1 and state not in ('ended', 'abandoned')",
          [siteId],
        );
        return Number(rows[0]!.n) === 0;
      },
      60_000,
      "every session served and ended",
    ).catch(async (error: Error) => {
      const open = await openSessions(db, siteId, (ids) => acdRouting(stack, siteId, ids));
      throw new Error(`${error.message}; still open: ${open}`);
    });
    await desks.stop();

    const histories = await siteHistories(db, siteId);
    console.log(
      `${acknowledged.size} sessions acknowledged, ${refusedCreates} creates refused around the flush, ` +
        `${histories.length} in PostgreSQL; desks accepted ${desks.accepted}, refused ${desks.refused}, ` +
        `ended ${desks.ended}`,
    );
    const rebuilt = histories.filter((h) =>
      h.events.some((e) => e.payload?.$case === "sessionWaiting" && e.payload.sessionWaiting.reason === "rebuilt"),
    );
    console.log(`${rebuilt.length} sessions were rebuilt into the acd's queue`);
    expect(rebuilt.length).toBeGreaterThan(0);
    const stored = new Set(histories.map((h) => h.sessionId));
    expect([...acknowledged.keys()].filter((id) => !stored.has(id))).toEqual([]);
    expect(histories.flatMap(historyViolations)).toEqual([]);
    expect(histories.filter((h) => h.state !== "ended" && h.state !== "abandoned")).toEqual([]);
    // Nothing PostgreSQL closed stays live in the acd (the reconciler releases what it missed).
    await eventually(
      async () => {
        const ids = histories.map((h) => h.sessionId);
        for (let i = 0; i < ids.length; i += 1_000) {
          const routing = await acdRouting(stack, siteId, ids.slice(i, i + 1_000));
          if ([...routing.values()].some((r) => r.known && LIVE.has(r.state))) return false;
        }
        return true;
      },
      20_000,
      "the acd holds no closed session",
    );
  }, 180_000);
});
