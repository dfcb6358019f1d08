import { randomUUID } from "node:crypto";
import { PresenceEvent, RoutingEvent, SessionEvent, SiteEvent } from "@handoff/proto/events";
import { infrastructureEnv, syntheticLog, type LoggedEvent } from "@handoff/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handmadeDay } from "../support/handmade-day";
import { ingestDirectly } from "../support/ingest-directly";
import { createReportingDatabase, type ReportingDatabase } from "../support/reporting-database";
import { startSupervisorServer, type SupervisorServer } from "../support/supervisor-server";

const DAY = Date.UTC(2026, 10, 2);
const INTERVAL_MS = 15 * 60_000;

const COUNTS = [
  "queued",
  "answered",
  "answeredWithinX",
  "abandoned",
  "shortAbandoned",
  "offersCreated",
  "offersAccepted",
  "offersRejected",
  "offersExpired",
  "offersWithdrawn",
  "transfersIn",
  "transfersOut",
] as const;

type Row = Record<(typeof COUNTS)[number], number> & { queue: { kind: string; id: string }; startMs: number };

const DECODERS = { routing: RoutingEvent, presence: PresenceEvent, sessions: SessionEvent, sites: SiteEvent };
const occurredAt = ({ kind, message }: LoggedEvent): number => DECODERS[kind].decode(message.value).occurredAtMs;

/**
 * Real time against history (issue 10's proof), on the golden day and a seeded synthetic day. The
 * log is ingested one 15-minute interval at a time; after each, the real-time queues (`/queues`) are
 * read, and at the end the day's interval figures (`/queue-intervals`). In these logs every queue
 * entry ends answered or abandoned (no requeue), so by METRICS.md's definitions, for each queue:
 *
 *   waiting at an interval's end = Σ over the intervals up to it of (queued − answered − abandoned)
 *
 * since an entry is queued in the interval of its entry, answered or abandoned in that of its end, and
 * waits in between. The issue allows ±1 contact per interval; both sides read the same fact rows at
 * the same instants, so here they must agree exactly. Every count summed over the intervals must also
 * equal the range total, which is recomputed from the facts.
 */
describe("real-time and interval figures reconcile", () => {
  let database: ReportingDatabase;
  let server: SupervisorServer;

  beforeAll(async () => {
    database = await createReportingDatabase(infrastructureEnv().DATABASE_URL);
    server = await startSupervisorServer(database.pool);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const get = async <T>(path: string, token: string): Promise<T> => {
    const response = await fetch(`${server.base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };

  // The golden day's entries all end in the interval they entered; the synthetic day's waits cross ends.
  it.each([
    ["the golden day", false, (siteId: string) => handmadeDay(siteId, DAY)],
    [
      "a synthetic day",
      true,
      (siteId: string) =>
        syntheticLog({ siteId, startMs: DAY, days: 1, teams: 3, repsPerTeam: 3, sessionsPerTeamPerDay: 80, seed: 10 }),
    ],
  ])(
    "on %s: waiting at each interval's end is what the intervals so far left waiting",
    async (_, waitsCrossEnds, logOf) => {
      const siteId = `recon-${randomUUID()}`;
      const token = await server.issuer.token(siteId, "sue", ["supervisor"]);
      const events = logOf(siteId).map((event) => ({ event, atMs: occurredAt(event) }));
      const lastMs = Math.max(...events.map((e) => e.atMs));

      const ends: number[] = [];
      const waitingAtEnds = new Map<string, number>();
      for (let endMs = DAY + INTERVAL_MS; endMs - INTERVAL_MS <= lastMs; endMs += INTERVAL_MS) {
        const inInterval = events.filter((e) => e.atMs >= endMs - INTERVAL_MS && e.atMs < endMs).map((e) => e.event);
        if (inInterval.length > 0) await ingestDirectly(database.pool, inInterval);
        const now = await get<{ queues: { queue: { kind: string; id: string }; waiting: number }[] }>(
          "/v1/supervisor/queues",
          token,
        );
        for (const { queue, waiting } of now.queues) waitingAtEnds.set(`${queue.id}|${endMs}`, waiting);
        ends.push(endMs);
      }

      const range = `from=${new Date(DAY).toISOString()}&to=${new Date(DAY + 86_400_000).toISOString()}&timeZone=UTC`;
      const history = await get<{ intervals: Row[]; totals: Row[] }>(`/v1/supervisor/queue-intervals?${range}`, token);
      expect(history.intervals.length).toBeGreaterThan(1);
      for (const row of history.intervals) expect(row.queue.kind).toBe("team");

      // Every interval's end is checked, also where a queue has no row (nothing counted: waiting carries over).
      const rowAt = new Map(history.intervals.map((row) => [`${row.queue.id}|${row.startMs}`, row]));
      const fromIntervals: string[] = [];
      const fromRealTime: string[] = [];
      for (const { queue } of history.totals) {
        let left = 0;
        for (const endMs of ends) {
          const row = rowAt.get(`${queue.id}|${endMs - INTERVAL_MS}`);
          if (row) left += row.queued - row.answered - row.abandoned;
          const at = `${queue.id} ${new Date(endMs).toISOString()} waiting`;
          fromIntervals.push(`${at} ${left}`);
          fromRealTime.push(`${at} ${waitingAtEnds.get(`${queue.id}|${endMs}`) ?? 0}`);
        }
      }
      expect(fromRealTime).toEqual(fromIntervals);
      expect(fromIntervals.some((line) => !line.endsWith(" 0"))).toBe(waitsCrossEnds);

      for (const total of history.totals) {
        const ofQueue = history.intervals.filter((row) => row.queue.id === total.queue.id);
        for (const count of COUNTS)
          expect({ queue: total.queue.id, count, sum: ofQueue.reduce((sum, row) => sum + row[count], 0) }).toEqual({
            queue: total.queue.id,
            count,
            sum: total[count],
          });
      }
    },
  );
});
