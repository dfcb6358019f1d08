import { randomUUID } from "node:crypto";
import { RepState } from "@handoff/proto/common";
import {
  AgentTokenVerifier,
  createHttpApp,
  createLogger,
  publicKeyFrom,
  startHttpServer,
  type RunningHttpServer,
} from "@handoff/runtime";
import { infrastructureEnv, TEST_ISSUER, testIssuer, type TestIssuer } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountSupervisorStream, type SupervisorStreams } from "../../src/http/supervisor-stream";
import { LiveHub } from "../../src/live/live-hub";
import { LiveSnapshotReader } from "../../src/live/live-snapshot-reader";
import type { LiveSnapshot } from "../../src/live/live-view";
import { SiteChangeListener } from "../../src/live/site-change-listener";
import { RealtimeStore } from "../../src/store/realtime-store";
import { localMidnight } from "../../src/domain/wallboard-day";
import { SiteSettingsStore } from "../../src/store/site-settings-store";
import { SessionFactsReader } from "../../src/store/session-facts-reader";
import { EventLogBuilder, team } from "../support/event-log-builder";
import { ingestDirectly } from "../support/ingest-directly";
import { createReportingDatabase, type ReportingDatabase } from "../support/reporting-database";
import { openSse, type SseClient } from "../support/sse-client";

const S = 1_000;
const MIN_FRAME_GAP_MS = 250;
const HEARTBEAT_MS = 300;

const waitingIn = (teamId: string) => (s: LiveSnapshot) =>
  s.queues.find((q) => q.queue.kind === "team" && q.queue.id === teamId)?.waiting ?? 0;

/**
 * The live stream on real PostgreSQL: events go through the real ingester (whose transaction sends
 * the NOTIFY), the replica's LISTEN connection and hub push frames, read over HTTP as the wallboard
 * reads them.
 */
describe("supervisor live stream", () => {
  let database: ReportingDatabase;
  let issuer: TestIssuer;
  let listener: SiteChangeListener;
  let hub: LiveHub;
  let streams: SupervisorStreams;
  let server: RunningHttpServer;
  let base: string;
  const open: SseClient<LiveSnapshot>[] = [];

  beforeAll(async () => {
    database = await createReportingDatabase(infrastructureEnv().DATABASE_URL);
    issuer = await testIssuer("SUPERVISOR");
    const logger = createLogger("reporting-test", "silent");
    hub = new LiveHub(
      new LiveSnapshotReader(
        new RealtimeStore(database.pool),
        new SessionFactsReader(database.pool),
        new SiteSettingsStore(database.pool),
        () => Date.now(),
      ),
      { perReplica: 100, perSite: 4, perSupervisor: 3 },
      { minFrameGapMs: MIN_FRAME_GAP_MS, dayRefreshMs: 1_000 },
      logger,
    );
    listener = new SiteChangeListener(database.url, hub, logger);
    await listener.start();
    const verifier = new AgentTokenVerifier({
      issuer: TEST_ISSUER,
      audience: issuer.audience,
      key: publicKeyFrom(issuer.publicPem),
    });
    const app = createHttpApp({
      logger,
      readiness: [],
      routes: (routes) => {
        streams = mountSupervisorStream(routes, hub, {
          verifier,
          rateLimitPerMinute: 1_000,
          heartbeatMs: HEARTBEAT_MS,
          maxAgeMs: 60_000,
        });
      },
    });
    server = await startHttpServer(app, "127.0.0.1", 0);
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    for (const client of open) client.close();
    streams?.closeAll();
    await server?.drain(1_000);
    await listener?.stop();
    await database?.drop();
  });

  async function stream(
    siteId: string,
    options: { sub?: string; roles?: string[]; query?: string; headers?: Record<string, string> } = {},
  ) {
    const token = await issuer.token(siteId, options.sub ?? "sue", options.roles ?? ["supervisor"]);
    const client = await openSse<LiveSnapshot>(`${base}/v1/supervisor/stream${options.query ?? ""}`, {
      authorization: `Bearer ${token}`,
      ...options.headers,
    });
    open.push(client);
    return client;
  }

  const newSite = () => `site-${randomUUID().slice(0, 8)}`;

  it("starts with a snapshot of the site and pushes a new one when ingestion changes it", async () => {
    const siteId = newSite();
    const now = Date.now();
    const client = await stream(siteId, { query: "?timeZone=Europe/Berlin&answerThresholdS=20" });
    expect(client.status).toBe(200);
    const first = await client.next(() => true);
    expect(first.event).toBe("snapshot");
    expect(first.id).toBe(String(first.data.atMs));
    expect(first.data.queues).toEqual([]);

    const log = new EventLogBuilder(siteId);
    log
      .presence(now - 60 * S, "r1", { $case: "repLoggedIn", repLoggedIn: { teamIds: ["t1"] } })
      .stateChanged(now - 60 * S, "r1", RepState.REP_STATE_OFFLINE, 0, RepState.REP_STATE_AVAILABLE, "");
    log.queued(now - 10 * S, "s1", team("t1"));
    await ingestDirectly(database.pool, log.events);
    const waiting = await client.next((s) => waitingIn("t1")(s) === 1);
    expect(waiting.data.queues[0]).toMatchObject({ reps: { available: 1, busy: 0, away: 0 } });
    expect(waiting.data.reps).toEqual([expect.objectContaining({ repId: "r1", state: "REP_STATE_AVAILABLE" })]);

    const answered = new EventLogBuilder(siteId);
    answered.offered(now - 8 * S, "s1", 1, "r1", team("t1")).accepted(now - 5 * S, "s1", 1, "r1", 5 * S);
    await ingestDirectly(database.pool, answered.events);
    const done = await client.next((s) => waitingIn("t1")(s) === 0 && s.day.teams[0]?.answered === 1);
    expect(done.data.day.teams).toEqual([{ teamId: "t1", queued: 1, answered: 1, abandoned: 0, serviceLevel: 1 }]);
    expect(done.data.day.points.at(-1)).toMatchObject({ waiting: 0 });
    expect(done.data.queues[0]?.reps).toMatchObject({ onSession: 1 });
  });

  it("follows the site's own time zone and thresholds, and a new version of them at once, unless overridden", async () => {
    const siteId = newSite();
    const now = Date.now();
    const client = await stream(siteId);
    const first = await client.next(() => true);
    expect(first.data.settings).toEqual({ timeZone: "UTC", answerThresholdS: 20, shortAbandonS: 5 });
    expect(first.data.day.fromMs).toBe(localMidnight("UTC", first.data.atMs));

    // s1 answered after 25 s: outside the default X, inside the site's 30 s.
    const log = new EventLogBuilder(siteId)
      .queued(now - 40 * S, "s1", team("t1"))
      .offered(now - 40 * S, "s1", 1, "r1", team("t1"))
      .accepted(now - 15 * S, "s1", 1, "r1", 25 * S);
    await ingestDirectly(database.pool, log.events);
    const outside = await client.next((f) => f.day.teams[0]?.answered === 1);
    expect(outside.data.day.teams[0]?.serviceLevel).toBe(0);

    const settings = new EventLogBuilder(siteId).siteSettings(now, 1, {
      timeZone: "Pacific/Auckland",
      serviceLevelThresholdMs: 30 * S,
      shortAbandonThresholdMs: 5 * S,
    });
    await ingestDirectly(database.pool, settings.events);
    const own = await client.next((f) => f.settings.timeZone === "Pacific/Auckland");
    expect(own.data.settings).toEqual({ timeZone: "Pacific/Auckland", answerThresholdS: 30, shortAbandonS: 5 });
    expect(own.data.day.fromMs).toBe(localMidnight("Pacific/Auckland", own.data.atMs));
    // s1 is within X now, unless the session fell before Auckland's midnight (then no team counts yet).
    if (own.data.day.fromMs <= now - 40 * S) expect(own.data.day.teams[0]?.serviceLevel).toBe(1);

    const overridden = await stream(siteId, { query: "?timeZone=UTC&answerThresholdS=20", sub: "sam" });
    const frame = await overridden.next(() => true);
    expect(frame.data.settings).toEqual({ timeZone: "UTC", answerThresholdS: 20, shortAbandonS: 5 });
    expect(frame.data.day.teams[0]?.serviceLevel).toBe(0);
  });

  it("coalesces a burst of events into frames at least 250 ms apart, read once for all streams of a view", async () => {
    const siteId = newSite();
    const [a, b] = [await stream(siteId), await stream(siteId, { sub: "sam" })];
    await a.next(() => true);
    await b.next(() => true);
    const log = new EventLogBuilder(siteId);
    const now = Date.now();
    for (let i = 1; i <= 30; i++) log.queued(now - i * S, `s${i}`, team("t1"));
    const from = a.frames.length;
    const startedAt = Date.now();
    await ingestDirectly(database.pool, log.events);
    await a.next((s) => waitingIn("t1")(s) === 30, 20_000, from);
    const elapsedMs = Date.now() - startedAt;
    const burst = a.frames.slice(from);
    expect(burst.length).toBeLessThanOrEqual(Math.ceil(elapsedMs / MIN_FRAME_GAP_MS) + 1);
    expect(burst.length).toBeLessThan(30);
    const ids = burst.map((f) => Number(f.id));
    for (let i = 1; i < ids.length; i++) expect(ids[i]! - ids[i - 1]!).toBeGreaterThanOrEqual(MIN_FRAME_GAP_MS - 5);
    // One read per frame for both streams: the same snapshots, by id.
    await b.next((s) => waitingIn("t1")(s) === 30);
    expect(b.frames.map((f) => f.id)).toEqual(expect.arrayContaining(burst.map((f) => f.id)));
  });

  it("never shows another site's queues, and keeps a quiet stream open with heartbeat comments", async () => {
    const [siteA, siteB] = [newSite(), newSite()];
    const a = await stream(siteA);
    await a.next(() => true);
    await ingestDirectly(database.pool, new EventLogBuilder(siteB).queued(Date.now(), "x1", team("t9")).events);
    await ingestDirectly(database.pool, new EventLogBuilder(siteA).queued(Date.now(), "s1", team("t1")).events);
    await a.next((s) => waitingIn("t1")(s) === 1);
    expect(a.frames.some((f) => f.data.queues.some((q) => q.queue.id === "t9"))).toBe(false);
    const deadline = Date.now() + 10_000;
    while (a.comments.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(a.comments[0]?.trim()).toBe("heartbeat");
  });

  it("listens again after its connection is lost, and pushes what changed meanwhile", async () => {
    const siteId = newSite();
    const client = await stream(siteId);
    await client.next(() => true);
    const killed = await database.pool.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and query ilike 'listen %'",
    );
    expect(killed.rowCount).toBe(1);
    await ingestDirectly(database.pool, new EventLogBuilder(siteId).queued(Date.now(), "s1", team("t1")).events);
    await client.next((s) => waitingIn("t1")(s) === 1, 30_000);
  });

  it("refuses no token (401), a rep (403), a bad parameter or Last-Event-ID (400 naming it), and more streams than a supervisor or a site may hold (429)", async () => {
    const siteId = newSite();
    const bare = await openSse(`${base}/v1/supervisor/stream`, {});
    expect(bare.status).toBe(401);
    expect((await stream(siteId, { roles: ["rep"] })).problem).toMatchObject({
      status: 403,
      reason: "SUPERVISOR_ROLE_REQUIRED",
    });
    expect((await stream(siteId, { query: "?timeZone=Mars/Olympus" })).problem).toMatchObject({
      status: 400,
      field: "timeZone",
    });
    expect((await stream(siteId, { query: "?answerThresholdS=-1" })).problem).toMatchObject({
      field: "answerThresholdS",
    });
    expect((await stream(siteId, { headers: { "last-event-id": "abc" } })).problem).toMatchObject({
      status: 400,
      field: "Last-Event-ID",
    });

    const held = [await stream(siteId, { sub: "ann" }), await stream(siteId, { sub: "ann" })];
    const resumed = await stream(siteId, { sub: "ann", headers: { "last-event-id": "1" } });
    expect((await resumed.next(() => true)).event).toBe("snapshot");
    const refused = await stream(siteId, { sub: "ann" });
    expect(refused.status).toBe(429);
    expect(refused.problem).toMatchObject({ reason: "STREAMS_PER_SUPERVISOR" });
    // A closed stream frees its place.
    held[0]!.close();
    const deadline = Date.now() + 10_000;
    let again = await stream(siteId, { sub: "ann" });
    while (again.status === 429 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      again = await stream(siteId, { sub: "ann" });
    }
    expect(again.status).toBe(200);
    // ann holds 3 of the site's 4; bob takes the last one and cid finds none left.
    expect((await stream(siteId, { sub: "bob" })).status).toBe(200);
    expect((await stream(siteId, { sub: "cid" })).problem).toMatchObject({ status: 429, reason: "STREAMS_PER_SITE" });
  });
});
