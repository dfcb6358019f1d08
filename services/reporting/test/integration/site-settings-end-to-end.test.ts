import { randomUUID } from "node:crypto";
import { RepState } from "@handoff/proto/common";
import { createKafka, createLogger } from "@handoff/runtime";
import {
  eventually,
  infrastructureEnv,
  IntakeStack,
  issueRequest,
  offeredEpoch,
  startService,
  type ServiceProcess,
} from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localMidnight } from "../../src/domain/wallboard-day";
import { INGEST_TOPICS } from "../../src/events/ingest-topics";
import type { LiveSnapshot } from "../../src/live/live-view";
import { startGroupsAtEnd } from "../support/consumer-groups";
import { createReportingDatabase, type ReportingDatabase } from "../support/reporting-database";
import { openSse } from "../support/sse-client";

const S = 1_000;
/** Between the default X (20 s) and the site's (30 s): only the site's own setting counts it within X. */
const WAIT_MS = 23 * S;

const ALL_DAY = [{ opens: "00:00", closes: "24:00" }];

/**
 * Issue 10's site settings through the real services: an admin saves a site in Europe/Berlin with a
 * 30 s service level in intake's admin API; intake's outbox publishes it on handoff.sites.v1; the real
 * reporting process ingests it; a session answered after 23 s through the real acd, presence and
 * broker then counts within X, in Berlin's day, with no query parameter saying so.
 */
describe("a site's own settings, from intake to reporting", () => {
  let stack: IntakeStack;
  let database: ReportingDatabase;
  let reporting: ServiceProcess;
  let base: string;

  beforeAll(async () => {
    const env = infrastructureEnv();
    stack = await IntakeStack.start();
    database = await createReportingDatabase(env.DATABASE_URL);
    const groupPrefix = `test.site-settings.${randomUUID().slice(0, 8)}`;
    const kafka = createKafka({
      clientId: "site-settings-test",
      brokers: env.KAFKA_BROKERS.split(","),
      logger: createLogger("test", "silent"),
    });
    await startGroupsAtEnd(kafka, INGEST_TOPICS, groupPrefix);
    reporting = await startService("reporting", {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: env.KAFKA_BROKERS,
      KAFKA_CONSUMER_GROUP: groupPrefix,
      WALLBOARD_DIR: "",
    });
    base = `http://127.0.0.1:${reporting.httpPort}`;
    await eventually(async () => (await fetch(`${base}/readyz`)).ok, 60_000, "reporting ready");
  }, 240_000);

  afterAll(async () => {
    await reporting?.stop();
    await database?.drop();
    await stack?.stop();
  });

  const supervisorToken = async (siteId: string) => {
    const response = await fetch(`${base}/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ siteId, repId: "sue", roles: ["supervisor"] }),
    });
    return ((await response.json()) as { token: string }).token;
  };

  it("gives a site saved in Europe/Berlin with a 30 s service level its intervals and service level", async () => {
    const siteId = await stack.site(
      {
        teams: [
          {
            id: "t1",
            name: "Team one",
            strategy: "longest_idle",
            overflow: [],
            transferKeepsWaitTime: false,
            transferPriorityBoost: 0,
            memberRepIds: ["alice"],
          },
        ],
        problemTypes: [{ id: "general", label: "General", teamId: "t1", priority: 0, requiredSkills: [] }],
      },
      {
        startMethods: { repList: false, issueForm: true, sessionKey: true, clientModes: ["click_to_chat"] },
        problemTypes: ["general"],
        messages: { greeting: "Welcome.", hold: "Please hold.", holdIntervalSeconds: 30 },
        schedule: {
          timeZone: "Europe/Berlin",
          weekly: Object.fromEntries(
            ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map((d) => [d, ALL_DAY]),
          ),
        },
        reporting: { serviceLevelThresholdSeconds: 30 },
      },
    );
    const token = await supervisorToken(siteId);
    const get = async (path: string) =>
      (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<
        Record<string, unknown>
      >;
    await eventually(
      async () => (await get("/v1/supervisor/site-settings")).version === 1,
      30_000,
      "reporting has the site's settings",
    );
    expect(await get("/v1/supervisor/site-settings")).toEqual({
      timeZone: "Europe/Berlin",
      answerThresholdS: 30,
      shortAbandonS: 5,
      version: 1,
    });

    const sessions = stack.sessions;
    await sessions.repOnline(siteId, "alice", ["t1"]);
    const setAlice = (state: RepState) => sessions.repState(siteId, "alice", state);
    await setAlice(RepState.REP_STATE_AWAY);
    const createdAtMs = Date.now();
    const sessionId = (await sessions.broker.createSession(issueRequest(siteId))).session!.sessionId;
    await new Promise((resolve) => setTimeout(resolve, createdAtMs + WAIT_MS - Date.now()));
    await setAlice(RepState.REP_STATE_AVAILABLE);
    await sessions.broker.acceptSessionOffer({
      siteId,
      sessionId,
      repId: "alice",
      epoch: await offeredEpoch(sessions.broker, siteId, sessionId),
    });

    const day = `from=${new Date(createdAtMs - 3_600_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;
    type Answer = { timeZone: string; answerThresholdS: number; totals: Record<string, unknown>[] };
    const intervals = async (query = "") => (await get(`/v1/supervisor/queue-intervals?${day}${query}`)) as Answer;
    await eventually(async () => (await intervals()).totals[0]?.answered === 1, 30_000, "the answer is ingested");
    const own = await intervals();
    expect(own).toMatchObject({ timeZone: "Europe/Berlin", answerThresholdS: 30 });
    expect(own.totals).toEqual([
      expect.objectContaining({ queue: { kind: "team", id: "t1" }, answered: 1, answeredWithinX: 1, serviceLevel: 1 }),
    ]);
    expect(own.totals[0]!.asaMs).toBeGreaterThanOrEqual(WAIT_MS);
    // With METRICS.md's default X the same answer is late.
    expect((await intervals("&answerThresholdS=20")).totals[0]).toMatchObject({ answeredWithinX: 0, serviceLevel: 0 });

    // The live stream (the wallboard's) runs its day from Berlin's midnight, with the site's X.
    const stream = await openSse<LiveSnapshot>(`${base}/v1/supervisor/stream`, { authorization: `Bearer ${token}` });
    try {
      const frame = await stream.next((f) => f.day.teams[0]?.answered === 1, 20_000);
      expect(frame.data.settings).toEqual({ timeZone: "Europe/Berlin", answerThresholdS: 30, shortAbandonS: 5 });
      expect(frame.data.day.fromMs).toBe(localMidnight("Europe/Berlin", frame.data.atMs));
      expect(frame.data.day.teams).toEqual([{ teamId: "t1", queued: 1, answered: 1, abandoned: 0, serviceLevel: 1 }]);
    } finally {
      stream.close();
    }
  }, 180_000);
});
