import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, issueRequest, SessionStack, teamConfig, siteWithTeams } from "@handoff/testing";
import pg from "pg";
import { AgentHttp, testIssuer, type AgentResponse } from "../support/agent-http";

type Method = "POST" | "PUT";

describe("agent API bad input", () => {
  let stack: SessionStack;
  let http: AgentHttp;
  let db: pg.Pool;
  let siteId: string;
  let alice: string;
  let sam: string;
  let session: string;

  const snapshot = async () =>
    (
      await db.query(
        `select (select count(*) from sessions where site_id = $1) as sessions,
                (select count(*) from session_events where site_id = $1) as events,
                (select count(*) from session_outbox where site_id = $1) as outbox,
                (select count(*) from session_participants where site_id = $1) as participants`,
        [siteId],
      )
    ).rows[0] as Record<string, string>;

  beforeAll(async () => {
    const issuer = await testIssuer();
    stack = await SessionStack.start({ brokerEnv: issuer.brokerEnv });
    http = AgentHttp.of(stack);
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
    siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["alice"] })]);
    alice = await issuer.token(siteId, "alice");
    sam = await issuer.token(siteId, "sam", ["supervisor"]);
    await http.post("/v1/me/login", alice, { teamIds: ["t1"], connectionId: "alice-desk" });
    await http.put("/v1/me/state", alice, { state: "available" });
    session = (await stack.broker.createSession(issueRequest(siteId))).session!.sessionId;
    const offer = await eventually(async () => {
      const { body } = await http.get("/v1/me/sessions", alice);
      return body.sessions?.find((s) => s.sessionId === session && s.state === "offered");
    }, 15_000);
    expect((await http.post(`/v1/sessions/${session}/accept`, alice, { epoch: offer.epoch })).status).toBe(200);
  });

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  const s = (path: string) => `/v1/sessions/{session}${path}`;
  /** [method, path ({session} is the test's session), body, the field the 400 must name]. */
  const cases: [Method, string, unknown, string][] = [
    ["POST", "/v1/me/login", { connectionId: "c" }, "teamIds"],
    ["POST", "/v1/me/login", { teamIds: [], connectionId: "c" }, "teamIds"],
    ["POST", "/v1/me/login", { teamIds: ["bad id"], connectionId: "c" }, "teamIds.0"],
    ["POST", "/v1/me/login", { teamIds: Array.from({ length: 51 }, (_, i) => `t${i}`), connectionId: "c" }, "teamIds"],
    ["POST", "/v1/me/login", { teamIds: ["t1"], connectionId: "" }, "connectionId"],
    ["POST", "/v1/me/login", { teamIds: ["t1"], connectionId: "c", admin: true }, "admin"],
    ["POST", "/v1/me/login", { teamIds: ["no-such-team"], connectionId: "c" }, "teamIds"],
    ["POST", "/v1/me/heartbeat", {}, "connectionId"],
    ["POST", "/v1/me/logout", { everywhere: true }, "everywhere"],
    ["PUT", "/v1/me/state", { state: "sleeping" }, "state"],
    ["PUT", "/v1/me/state", {}, "state"],
    ["PUT", "/v1/me/state", { state: "away", reason: "Lunch Break" }, "reason"],
    ["PUT", "/v1/me/capacity", { mode: "multi" }, "sessions"],
    ["PUT", "/v1/me/capacity", { mode: "multi", sessions: 1 }, "sessions"],
    ["PUT", "/v1/me/capacity", { mode: "multi", sessions: 2.5 }, "sessions"],
    ["PUT", "/v1/me/capacity", { mode: "multi", sessions: 101 }, "sessions"],
    ["PUT", "/v1/me/capacity", { mode: "single", sessions: 3 }, "sessions"],
    ["PUT", "/v1/me/capacity", { mode: "double" }, "mode"],
    ["PUT", "/v1/me/capacity", { mode: "single", skills: ["a b"] }, "skills.0"],
    ["POST", "/v1/me/next-session", { teamId: "t1" }, "teamId"],
    ["PUT", "/v1/reps/bad%20id/state", { state: "away" }, "repId"],
    ["POST", s("/accept"), {}, "epoch"],
    ["POST", s("/accept"), { epoch: "1" }, "epoch"],
    ["POST", s("/accept"), { epoch: 0 }, "epoch"],
    ["POST", s("/reject"), { epoch: 1.5 }, "epoch"],
    ["POST", s("/transfer"), {}, "target"],
    ["POST", s("/transfer"), { target: {} }, "target"],
    ["POST", s("/transfer"), { target: { teamId: "t1", repId: "bob" } }, "target"],
    ["POST", s("/transfer"), { target: { teamId: "bad id" } }, "target.teamId"],
    ["POST", s("/transfer"), { target: "t1" }, "target"],
    ["POST", s("/invitations"), { invitee: { queue: "t1" } }, "invitee.queue"],
    ["POST", s("/invitations/inv-1/answer"), { accepted: "yes" }, "accepted"],
    ["POST", s("/invitations/bad%20id/answer"), { accepted: true }, "invitationId"],
    ["POST", s("/control"), { toRepId: "" }, "toRepId"],
    ["POST", s("/leave"), { reason: "bored" }, "reason"],
    ["POST", s("/end"), { reason: "bored" }, "reason"],
    ["POST", s("/permission-requests"), { permission: "root" }, "permission"],
    ["POST", s("/permission-requests"), {}, "permission"],
    ["POST", s("/permission-requests"), { permission: "control", application: "x".repeat(201) }, "application"],
    ["POST", s("/messages"), { text: "" }, "text"],
    ["POST", s("/messages"), { text: "   " }, "text"],
    ["POST", s("/messages"), { text: "x".repeat(4_001) }, "text"],
    ["POST", s("/messages"), { text: "bell\u0007" }, "text"],
    ["POST", s("/messages"), { text: 42 }, "text"],
    ["POST", s("/messages"), {}, "text"],
    ["POST", s("/nudge"), { loud: true }, "loud"],
    ["POST", s("/notes"), { text: null }, "text"],
    ["POST", s("/rep-survey"), { resolutionCode: "" }, "resolutionCode"],
    ["POST", s("/rep-survey"), { resolutionCode: "fixed", comment: 3 }, "comment"],
    ["POST", "/v1/sessions/bad%20id/messages", { text: "hi" }, "sessionId"],
    ["POST", "/v1/session-keys", { ttlMs: 1 }, "ttlMs"],
    ["POST", "/v1/session-keys", { target: { repId: "a b" } }, "target.repId"],
    ["POST", "/v1/invitations", { channel: "fax" }, "channel"],
    ["POST", "/v1/invitations", { channel: "email" }, "customerAddress"],
    ["POST", "/v1/invitations", { channel: "email", customerAddress: "not-an-address" }, "customerAddress"],
    ["POST", "/v1/invitations", { channel: "chat", customerName: "x".repeat(201) }, "customerName"],
  ];

  const send = (method: Method, path: string, body: unknown, token = alice): Promise<AgentResponse> =>
    http.call(method, path.replace("{session}", session), token, body);

  function expectNames(answer: AgentResponse, field: string): void {
    expect(answer.status).toBe(400);
    expect(answer.contentType).toContain("application/problem+json");
    expect(answer.body).toMatchObject({ type: "about:blank", title: "Invalid request", status: 400 });
    expect(answer.body.errors?.map((e) => e.field)).toContain(field);
    expect(answer.body.detail).toContain(field);
  }

  it.each(cases)("%s %s %j: 400 naming %s", async (method, path, body, field) => {
    // Supervisors may name another rep in the path, so the path's rep id is checked as a field.
    expectNames(await send(method, path, body, path.startsWith("/v1/reps/") ? sam : alice), field);
  });

  it("names every field at fault at once", async () => {
    const answer = await send("PUT", "/v1/me/capacity", { mode: "double", skills: ["a b"], extra: 1 });
    expect(answer.body.errors?.map((e) => e.field).sort()).toEqual(["extra", "mode", "skills.0"]);
  });

  it("refuses a body that is not JSON, not an object, or too large, and stays healthy; nothing changed", async () => {
    const before = await snapshot();
    expectNames(await send("POST", s("/messages"), "{not json"), "body");
    expectNames(await send("POST", s("/messages"), "[1,2]"), "body");
    expectNames(await send("POST", s("/messages"), '"hello"'), "body");
    const large = await send("POST", s("/messages"), { text: "x".repeat(40_000) });
    expect(large.status).toBe(413);
    expect(large.body).toMatchObject({ status: 413, field: "body" });
    for (const [method, path, body] of cases) await send(method, path, body);
    expect(await snapshot()).toEqual(before);
    expect((await http.get("/healthz", undefined)).status).toBe(200);
    expect((await http.get(`/v1/sessions/${session}`, alice)).body.session?.state).toBe("active");
  });

  it("answers an unknown path with a 404 problem", async () => {
    const answer = await http.get("/v1/nothing-here", alice);
    expect(answer.status).toBe(404);
    expect(answer.contentType).toContain("application/problem+json");
  });
});
