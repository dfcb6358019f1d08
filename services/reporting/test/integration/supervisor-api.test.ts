import { readFileSync } from "node:fs";
import { RepState } from "@handoff/proto/common";
import { infrastructureEnv, type TestIssuer } from "@handoff/testing";
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SUPERVISOR_OPENAPI_FILE } from "../../src/http/write-supervisor-openapi";
import { EventLogBuilder, team } from "../support/event-log-builder";
import { handmadeDay, handmadeSettings } from "../support/handmade-day";
import { ingestDirectly } from "../support/ingest-directly";
import { createReportingDatabase, type ReportingDatabase } from "../support/reporting-database";
import { startSupervisorServer, type SupervisorServer } from "../support/supervisor-server";

const NOW = Date.UTC(2026, 10, 2, 10);
const S = 1_000;

/** Site A: s1 waits in t1 (90 s, estimate 30 s), s2 is with r1; r2 is away. Site B: s9 waits in its own t1. */
function siteLogs() {
  const a = new EventLogBuilder("site-a");
  for (const [repId, state] of [
    ["r1", RepState.REP_STATE_AVAILABLE],
    ["r2", RepState.REP_STATE_AWAY],
  ] as const)
    a.presence(NOW - 600 * S, repId, { $case: "repLoggedIn", repLoggedIn: { teamIds: ["t1"] } }).stateChanged(
      NOW - 600 * S,
      repId,
      RepState.REP_STATE_OFFLINE,
      0,
      state,
      state === RepState.REP_STATE_AWAY ? "break" : "",
    );
  a.queued(NOW - 90 * S, "s1", team("t1")).routing(NOW - 80 * S, "s1", 0, {
    $case: "waitEstimated",
    waitEstimated: { position: 1, estimate: { p50Ms: 30 * S, p90Ms: 60 * S, known: true } },
  });
  a.queued(NOW - 300 * S, "s2", team("t1"))
    .offered(NOW - 300 * S, "s2", 1, "r1", team("t1"))
    .accepted(NOW - 295 * S, "s2", 1, "r1", 5 * S);
  const b = new EventLogBuilder("site-b").queued(NOW - 10 * S, "s9", team("t1"));
  return [...a.events, ...b.events];
}

describe("supervisor API", () => {
  let database: ReportingDatabase;
  let issuer: TestIssuer;
  let server: SupervisorServer;
  let base: string;

  beforeAll(async () => {
    database = await createReportingDatabase(infrastructureEnv().DATABASE_URL);
    await ingestDirectly(database.pool, [
      ...siteLogs(),
      ...handmadeDay("site-h", Date.UTC(2026, 10, 2)),
      // The golden day again, at a site whose admin saved Europe/Berlin, X = 30 s, short abandons < 6 s.
      ...handmadeDay("site-g", Date.UTC(2026, 10, 2)),
      ...handmadeSettings("site-g", Date.UTC(2026, 10, 2)),
    ]);
    server = await startSupervisorServer(database.pool, () => NOW);
    ({ issuer, base } = server);
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  const get = async (path: string, token?: string) => {
    const response = await fetch(`${base}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  const getCsv = async (path: string, token: string, accept = "*/*") => {
    const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}`, accept } });
    const text = await response.text();
    return {
      status: response.status,
      type: response.headers.get("content-type"),
      disposition: response.headers.get("content-disposition"),
      header: parse(text, { to_line: 1 })[0] as string[],
      records: parse<Record<string, string>>(text, { columns: true }),
    };
  };

  /** What a JSON answer's row reads as in CSV: the cell of each dotted column, lists space-separated, null empty. */
  const asCsvCells = (row: unknown, columns: readonly string[]) =>
    Object.fromEntries(
      columns.map((column) => {
        const value = column.split(".").reduce<unknown>((v, key) => (v as Record<string, unknown> | null)?.[key], row);
        return [
          column,
          value === null || value === undefined
            ? ""
            : Array.isArray(value)
              ? value.join(" ")
              : typeof value === "string"
                ? value
                : JSON.stringify(value),
        ];
      }),
    );

  it("shows a supervisor his site's queues now, from the ingested events", async () => {
    const { status, body } = await get("/v1/supervisor/queues", await issuer.token("site-a", "sue", ["supervisor"]));
    expect(status).toBe(200);
    expect(body).toEqual({
      atMs: NOW,
      queues: [
        {
          queue: { kind: "team", id: "t1" },
          waiting: 1,
          longestWaitMs: 90 * S,
          ewtP50Ms: 30 * S,
          reps: { available: 1, busy: 0, away: 1, onSession: 1 },
        },
      ],
    });
  });

  it("shows his site's reps with state, since when and the sessions they hold, filtered by state", async () => {
    const token = await issuer.token("site-a", "sue", ["supervisor"]);
    const { body } = await get("/v1/supervisor/reps?team=t1&state=REP_STATE_AWAY", token);
    expect(body.reps).toEqual([
      { repId: "r2", state: "REP_STATE_AWAY", reasonCode: "break", sinceMs: NOW - 600 * S, teamIds: ["t1"], load: 0 },
    ]);
    expect((await get("/v1/supervisor/reps", token)).body.reps).toContainEqual(
      expect.objectContaining({ repId: "r1", load: 1 }),
    );
  });

  it("never shows one site's data to another site's supervisor, on every endpoint", async () => {
    const token = await issuer.token("site-b", "bob", ["supervisor"]);
    expect((await get("/v1/supervisor/queues", token)).body.queues).toEqual([
      {
        queue: { kind: "team", id: "t1" },
        waiting: 1,
        longestWaitMs: 10 * S,
        ewtP50Ms: null,
        reps: { available: 0, busy: 0, away: 0, onSession: 0 },
      },
    ]);
    expect((await get("/v1/supervisor/reps", token)).body.reps).toEqual([]);
    const day = "from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z";
    expect(
      (await get(`/v1/supervisor/queue-intervals?${day}&timeZone=UTC`, token)).body.totals as { queue: unknown }[],
    ).toEqual([expect.objectContaining({ queue: { kind: "team", id: "t1" }, queued: 1, answered: 0 })]);
    expect((await get(`/v1/supervisor/rep-intervals?${day}&timeZone=UTC`, token)).body.reps).toEqual([]);
    expect(
      (await getCsv(`/v1/supervisor/queue-intervals?${day}&timeZone=UTC&format=csv&table=totals`, token)).records,
    ).toEqual([expect.objectContaining({ "queue.id": "t1", queued: "1", answered: "0" })]);
    const sessions = (await get(`/v1/supervisor/sessions?${day}`, token)).body.sessions as { sessionId: string }[];
    expect(sessions.map((s) => s.sessionId)).toEqual(["s9"]);
    expect((await getCsv(`/v1/supervisor/sessions?${day}&format=csv`, token)).records.map((r) => r.sessionId)).toEqual([
      "s9",
    ]);
    // Site A's s2 and site H's s4 exist, but not for site B: the same 404 as an unknown session.
    for (const sessionId of ["s2", "s4", "nope"])
      expect(await get(`/v1/supervisor/sessions/${sessionId}/report`, token)).toMatchObject({
        status: 404,
        body: { reason: "SESSION_NOT_FOUND" },
      });
    expect((await get("/v1/supervisor/sessions/s9/report", token)).status).toBe(200);
    // Site G saved its own settings; site B saved none and has the defaults.
    expect((await get("/v1/supervisor/site-settings", token)).body).toEqual({
      timeZone: "UTC",
      answerThresholdS: 20,
      shortAbandonS: 5,
      version: null,
    });
  });

  it("computes every figure with the site's own time zone and thresholds unless the query overrides them", async () => {
    const token = await issuer.token("site-g", "sue", ["supervisor"]);
    expect((await get("/v1/supervisor/site-settings", token)).body).toEqual({
      timeZone: "Europe/Berlin",
      answerThresholdS: 30,
      shortAbandonS: 6,
      version: 2,
    });
    const day = "from=2026-11-02T00:00:00%2B01:00&to=2026-11-03T00:00:00%2B01:00";
    const own = (await get(`/v1/supervisor/queue-intervals?${day}`, token)).body;
    expect(own).toMatchObject({ timeZone: "Europe/Berlin", answerThresholdS: 30, shortAbandonS: 6 });
    // t1: s1 (4 s) and s4 (10 s) within 30 s; s3 (3 s) and s5 (5 s) short below 6 s; s2 counts.
    // t2: s4's transfer entry answered after 30 s, at X.
    expect(own.totals).toEqual([
      expect.objectContaining({
        queue: { kind: "team", id: "t1" },
        answered: 2,
        abandoned: 3,
        shortAbandoned: 2,
        answeredWithinX: 2,
        serviceLevel: 2 / 3,
        abandonRate: 1 / 3,
      }),
      expect.objectContaining({ queue: { kind: "team", id: "t2" }, answeredWithinX: 1, serviceLevel: 1 }),
    ]);
    const csv = await getCsv(`/v1/supervisor/queue-intervals?${day}&format=csv&table=totals`, token);
    expect(csv.records.map((r) => [r["queue.id"], r.serviceLevel])).toEqual([
      ["t1", String(2 / 3)],
      ["t2", "1"],
    ]);
    // The site-h figures come back with METRICS.md's defaults passed as overrides.
    const overridden = (
      await get(`/v1/supervisor/queue-intervals?${day}&timeZone=UTC&answerThresholdS=20&shortAbandonS=5`, token)
    ).body;
    expect(overridden).toMatchObject({ timeZone: "UTC", answerThresholdS: 20, shortAbandonS: 5 });
    expect(overridden.totals).toEqual([
      expect.objectContaining({ queue: { kind: "team", id: "t1" }, shortAbandoned: 1, serviceLevel: 0.5 }),
      expect.objectContaining({ queue: { kind: "team", id: "t2" }, serviceLevel: 0 }),
    ]);
    expect((await get(`/v1/supervisor/rep-intervals?${day}`, token)).body).toMatchObject({ timeZone: "Europe/Berlin" });
  });

  it("refuses a rep's token (403), no token (401), and names the query parameter at fault (400)", async () => {
    const rep = await issuer.token("site-a", "r1", ["rep"]);
    expect(await get("/v1/supervisor/queues", rep)).toMatchObject({
      status: 403,
      body: { reason: "SUPERVISOR_ROLE_REQUIRED" },
    });
    expect((await get("/v1/supervisor/reps")).status).toBe(401);
    const supervisor = await issuer.token("site-a", "sue", ["supervisor"]);
    expect(await get("/v1/supervisor/reps?state=sleeping", supervisor)).toMatchObject({
      status: 400,
      body: { field: "state" },
    });
    expect(await get("/v1/supervisor/queues?teem=t1", supervisor)).toMatchObject({
      status: 400,
      body: { field: "teem" },
    });
  });

  it("serves queue figures per interval of the site's time zone and range totals recomputed from the facts", async () => {
    const token = await issuer.token("site-h", "sue", ["supervisor"]);
    const { status, body } = await get(
      "/v1/supervisor/queue-intervals?from=2026-11-02T10:00:00%2B01:00&to=2026-11-02T11:00:00%2B01:00&timeZone=Europe/Berlin&team=t1",
      token,
    );
    expect(status).toBe(200);
    expect(body.totals).toEqual([
      expect.objectContaining({
        queued: 5,
        answered: 2,
        abandoned: 3,
        shortAbandoned: 1,
        serviceLevel: 0.5,
        abandonRate: 0.5,
      }),
    ]);
    const intervals = body.intervals as { startMs: number; serviceLevel: number | null; ahtMs: number | null }[];
    expect(intervals.map((i) => [i.startMs, i.serviceLevel, i.ahtMs])).toEqual([
      [Date.UTC(2026, 10, 2, 9), 2 / 3, 595_000],
      [Date.UTC(2026, 10, 2, 9, 15), 0, 590_000],
    ]);
    // Site A's own t1 (its two sessions queued 09:55 and 09:58:30), nothing of site H's.
    const other = await issuer.token("site-a", "sue", ["supervisor"]);
    const path = "/v1/supervisor/queue-intervals?from=2026-11-02T09:00:00Z&to=2026-11-02T10:00:00Z&timeZone=UTC";
    expect((await get(path, other)).body.totals).toEqual([
      expect.objectContaining({ queue: { kind: "team", id: "t1" }, queued: 2, answered: 1, abandoned: 0 }),
    ]);
  });

  it("serves rep figures per interval and routing fairness, from the facts around the range", async () => {
    const token = await issuer.token("site-h", "sue", ["supervisor"]);
    const { status, body } = await get(
      "/v1/supervisor/rep-intervals?from=2026-11-02T09:00:00Z&to=2026-11-02T10:00:00Z&timeZone=UTC",
      token,
    );
    expect(status).toBe(200);
    const nine = Date.UTC(2026, 10, 2, 9);
    expect(body.reps).toContainEqual({
      repId: "r1",
      startMs: nine,
      endMs: nine + 900_000,
      stateMs: { REP_STATE_AVAILABLE: 900_000 },
      staffedMs: 900_000,
      engagedMs: 595_000,
      availableIdleMs: 305_000,
      occupancy: 595_000 / 900_000,
      loadMs: 595_000,
    });
    expect(body.reps).toContainEqual(
      expect.objectContaining({ repId: "r1", startMs: nine + 1_800_000, stateMs: { "REP_STATE_AWAY:lunch": 900_000 } }),
    );
    const fairness = body.fairness as { teamIds: string[]; startMs: number; offersCv: number; idleSpreadMs: number }[];
    expect(
      fairness.filter((f) => f.teamIds.join() === "t1").map((f) => [f.startMs, f.offersCv, f.idleSpreadMs]),
    ).toEqual([
      [nine, 0, 300_000],
      [nine + 900_000, 1, 0],
      [nine + 1_800_000, null, null],
      [nine + 2_700_000, null, null],
    ]);
  });

  it("answers the queue history as CSV (Accept or ?format=csv) that parses back to the JSON answer", async () => {
    const token = await issuer.token("site-h", "sue", ["supervisor"]);
    const path =
      "/v1/supervisor/queue-intervals?from=2026-11-02T10:00:00%2B01:00&to=2026-11-02T11:00:00%2B01:00&timeZone=Europe/Berlin";
    const json = (await get(path, token)).body as { intervals: unknown[]; totals: unknown[] };
    expect(json.intervals.length).toBeGreaterThan(1);
    const intervals = await getCsv(path, token, "text/csv");
    expect(intervals).toMatchObject({
      status: 200,
      type: "text/csv; charset=utf-8",
      disposition: "attachment; filename=queue-intervals-20261102T0900Z-20261102T1000Z.csv",
    });
    expect(intervals.header.slice(0, 5)).toEqual(["queue.kind", "queue.id", "startMs", "endMs", "queued"]);
    expect(intervals.header).toContain("serviceLevel");
    expect(intervals.records).toEqual(json.intervals.map((row) => asCsvCells(row, intervals.header)));
    const totals = await getCsv(`${path}&format=csv&table=totals`, token, "application/json");
    expect(totals.records).toEqual(json.totals.map((row) => asCsvCells(row, totals.header)));
    expect(totals.records.length).toBe(json.totals.length);
    // An explicit format=json wins over the Accept header.
    const explicit = await fetch(`${base}${path}&format=json`, {
      headers: { authorization: `Bearer ${token}`, accept: "text/csv" },
    });
    expect(explicit.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("groups the queue history by site and by the sessions' stored problem type, in JSON and CSV", async () => {
    const token = await issuer.token("site-h", "sue", ["supervisor"]);
    const path = "/v1/supervisor/queue-intervals?from=2026-11-02T09:00:00Z&to=2026-11-02T10:00:00Z&timeZone=UTC";
    const bySite = (await get(`${path}&by=site`, token)).body as { totals: unknown[] };
    expect(bySite.totals).toEqual([expect.objectContaining({ queue: { kind: "site", id: "site-h" }, queued: 6 })]);
    const json = (await get(`${path}&by=problemType`, token)).body as { totals: unknown[] };
    expect(json.totals).toEqual([
      expect.objectContaining({ queue: { kind: "problemType", id: "network" }, queued: 1, abandoned: 1 }),
      expect.objectContaining({ queue: { kind: "problemType", id: "printing" }, queued: 5, answered: 3 }),
    ]);
    const csv = await getCsv(`${path}&by=problemType&format=csv&table=totals`, token);
    expect(csv.records).toEqual(json.totals.map((row) => asCsvCells(row, csv.header)));
    expect(await get(`${path}&by=team`, token)).toMatchObject({ status: 400, body: { field: "by" } });
  });

  it("answers the rep history as CSV with a column per state and reason present, and fairness on asking", async () => {
    const token = await issuer.token("site-h", "sue", ["supervisor"]);
    const path = "/v1/supervisor/rep-intervals?from=2026-11-02T09:00:00Z&to=2026-11-02T10:00:00Z&timeZone=UTC";
    const json = (await get(path, token)).body as { reps: unknown[]; fairness: unknown[] };
    const reps = await getCsv(`${path}&format=csv`, token);
    expect(reps.disposition).toBe("attachment; filename=rep-intervals-20261102T0900Z-20261102T1000Z.csv");
    expect(reps.header).toEqual(
      expect.arrayContaining(["repId", "stateMs.REP_STATE_AVAILABLE", "stateMs.REP_STATE_AWAY:lunch"]),
    );
    // A state a rep did not have in an interval is an empty cell, as absent from the JSON map.
    expect(reps.records).toEqual(json.reps.map((row) => asCsvCells(row, reps.header)));
    const fairness = await getCsv(`${path}&format=csv&table=fairness`, token);
    expect(fairness.header).toEqual(["teamIds", "skills", "startMs", "endMs", "repIds", "offersCv", "idleSpreadMs"]);
    expect(fairness.records).toEqual(json.fairness.map((row) => asCsvCells(row, fairness.header)));
    expect(await get(`${path}&format=xml`, token)).toMatchObject({ status: 400, body: { field: "format" } });
    expect(await get(`${path}&table=intervals`, token)).toMatchObject({ status: 400, body: { field: "table" } });
  });

  it("lists a site's sessions newest first, a bounded page at a time, by outcome, team and rep", async () => {
    const token = await issuer.token("site-h", "sue", ["supervisor"]);
    const day = "/v1/supervisor/sessions?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z";
    const ids = (body: Record<string, unknown>) => (body.sessions as { sessionId: string }[]).map((s) => s.sessionId);
    const first = (await get(`${day}&limit=2`, token)).body;
    expect(ids(first)).toEqual(["s5", "s4"]);
    const second = (await get(`${day}&limit=2&cursor=${first.nextCursor as string}`, token)).body;
    expect(ids(second)).toEqual(["s3", "s2"]);
    const last = (await get(`${day}&limit=2&cursor=${second.nextCursor as string}`, token)).body;
    expect(last).toMatchObject({ nextCursor: null });
    expect(ids(last)).toEqual(["s1"]);
    expect(ids((await get(`${day}&outcome=abandoned`, token)).body)).toEqual(["s5", "s3", "s2"]);
    expect(ids((await get(`${day}&team=t2`, token)).body)).toEqual(["s4"]);
    expect(ids((await get(`${day}&rep=r1`, token)).body)).toEqual(["s1"]);
    expect((await get(`${day}&rep=r3`, token)).body.sessions).toEqual([
      {
        sessionId: "s4",
        startedAtMs: Date.UTC(2026, 10, 2, 9, 5),
        startMethod: "START_METHOD_ISSUE_SUBMISSION",
        problemTypeId: "printing",
        outcome: "answered",
        queuedAtMs: Date.UTC(2026, 10, 2, 9, 5),
        answeredAtMs: Date.UTC(2026, 10, 2, 9, 5, 10),
        abandonedAtMs: null,
        abandonReason: null,
        endedAtMs: Date.UTC(2026, 10, 2, 9, 25),
        endReason: null,
        teamIds: ["t1", "t2"],
        repIds: ["r2", "r3"],
        transfers: 1,
        offers: 2,
        satisfaction: 3,
      },
    ]);
  });

  it("answers the session list as CSV with the next page in a Link header, equal to the JSON answer", async () => {
    const token = await issuer.token("site-h", "sue", ["supervisor"]);
    const path = "/v1/supervisor/sessions?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z&limit=3";
    const json = (await get(path, token)).body as { sessions: unknown[]; nextCursor: string };
    const response = await fetch(`${base}${path}`, {
      headers: { authorization: `Bearer ${token}`, accept: "text/csv" },
    });
    const next = /^<([^>]+)>; rel="next"$/.exec(response.headers.get("link") ?? "")?.[1];
    expect(new URL(next!, base).searchParams.get("cursor")).toBe(json.nextCursor);
    expect((await getCsv(next!, token, "text/csv")).records.map((r) => r.sessionId)).toEqual(["s2", "s1"]);
    const csv = await getCsv(path, token, "text/csv");
    expect(csv.disposition).toBe("attachment; filename=sessions-20261102T0000Z-20261103T0000Z.csv");
    expect(csv.header).toContain("teamIds");
    expect(csv.records).toEqual(json.sessions.map((row) => asCsvCells(row, csv.header)));
    expect(csv.records.map((r) => r.repIds)).toEqual(["", "r2 r3", ""]);
  });

  it("reports one session's full story from its stored events", async () => {
    const token = await issuer.token("site-h", "sue", ["supervisor"]);
    const { status, body } = await get("/v1/supervisor/sessions/s2/report", token);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      sessionId: "s2",
      truncated: false,
      summary: { abandonReason: "ABANDON_REASON_CUSTOMER_LEFT", offers: 2 },
      offers: [
        { epoch: 1, repId: "r2", outcome: "rejected" },
        { epoch: 2, repId: "r1", outcome: "expired" },
      ],
    });
    expect((body.timeline as { type: string }[]).map((i) => i.type)).toEqual([
      "SessionCreated",
      "SessionQueued",
      "WaitEstimated",
      "OfferCreated",
      "OfferRejected",
      "OfferCreated",
      "OfferExpired",
      "SessionAbandoned",
    ]);
  });

  it("names the session list's and report's parameter at fault", async () => {
    const token = await issuer.token("site-h", "sue", ["supervisor"]);
    const day = "/v1/supervisor/sessions?from=2026-11-02T00:00:00Z&to=2026-11-03T00:00:00Z";
    for (const [query, field] of [
      ["&limit=501", "limit"],
      ["&limit=0", "limit"],
      ["&cursor=bm90LWEtY3Vyc29y", "cursor"],
      ["&outcome=lost", "outcome"],
      ["&team=a%20b", "team"],
      ["&page=2", "page"],
    ])
      expect(await get(`${day}${query}`, token)).toMatchObject({ status: 400, body: { field } });
    expect(await get("/v1/supervisor/sessions?from=2026-11-02T00:00:00Z", token)).toMatchObject({
      status: 400,
      body: { field: "to" },
    });
    expect(await get(`/v1/supervisor/sessions/${"x".repeat(300)}/report`, token)).toMatchObject({
      status: 400,
      body: { field: "sessionId" },
    });
    expect(await get("/v1/supervisor/sessions/s2/report?verbose=1", token)).toMatchObject({
      status: 400,
      body: { field: "verbose" },
    });
  });

  it("names the history query's parameter at fault: an unknown time zone, a range that ends before it starts", async () => {
    const token = await issuer.token("site-h", "sue", ["supervisor"]);
    expect(
      await get(
        "/v1/supervisor/queue-intervals?from=2026-11-02T09:00:00Z&to=2026-11-02T10:00:00Z&timeZone=Mars/Olympus",
        token,
      ),
    ).toMatchObject({ status: 400, body: { field: "timeZone" } });
    expect(
      await get("/v1/supervisor/queue-intervals?from=2026-11-02T09:00:00Z&to=2026-11-02T08:00:00Z&timeZone=UTC", token),
    ).toMatchObject({ status: 400, body: { field: "to" } });
  });

  it("serves the checked-in OpenAPI document", async () => {
    const { status, body } = await get("/v1/supervisor/openapi.json");
    expect(status).toBe(200);
    expect(body).toEqual(JSON.parse(readFileSync(SUPERVISOR_OPENAPI_FILE, "utf8")));
  });
});
