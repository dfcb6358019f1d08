import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair, SignJWT } from "jose";
import { eventually, issueRequest, SessionStack, teamConfig, siteWithTeams } from "@handoff/testing";
import pg from "pg";
import {
  AgentHttp,
  TEST_AUDIENCE,
  TEST_ISSUER,
  testIssuer,
  type AgentResponse,
  type TestIssuer,
} from "../support/agent-http";

/** Per person per minute, above what bob's offer polling may take in this file. */
const RATE_LIMIT = 400;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("agent API authentication and authorization", () => {
  let stack: SessionStack;
  let issuer: TestIssuer;
  let http: AgentHttp;
  let db: pg.Pool;
  let siteId: string;
  let bob: string;
  let sessionId: string;
  let offered: { sessionId: string; epoch: number };

  /** Everything that a refused command could have changed: the site's rows and bob's presence. */
  const snapshot = async () => ({
    rows: (
      await db.query(
        `select (select count(*) from sessions where site_id = $1) as sessions,
                (select count(*) from session_events where site_id = $1) as events,
                (select count(*) from session_outbox where site_id = $1) as outbox,
                (select count(*) from session_participants where site_id = $1) as participants,
                (select string_agg(session_id || ':' || state || ':' || epoch, ',' order by session_id)
                   from sessions where site_id = $1) as states`,
        [siteId],
      )
    ).rows[0] as Record<string, string>,
    bob: (await stack.presence.getRep({ siteId, repId: "bob" })).rep,
  });

  /** State-changing commands on bob, his session and his offer, made with `token`, one after the other. */
  async function attempts(token: string | undefined): Promise<AgentResponse[]> {
    const calls = [
      () => http.post(`/v1/sessions/${sessionId}/messages`, token, { text: "not me" }),
      () => http.post(`/v1/sessions/${sessionId}/end`, token),
      () => http.post(`/v1/sessions/${sessionId}/transfer`, token, { target: { teamId: "t1" } }),
      () => http.post(`/v1/sessions/${offered.sessionId}/accept`, token, { epoch: offered.epoch }),
      () => http.put("/v1/reps/bob/state", token, { state: "away", reason: "lunch" }),
      () => http.put("/v1/reps/bob/capacity", token, { mode: "single" }),
      () => http.post("/v1/reps/bob/logout", token),
    ];
    const answers: AgentResponse[] = [];
    for (const call of calls) answers.push(await call());
    return answers;
  }

  beforeAll(async () => {
    issuer = await testIssuer();
    stack = await SessionStack.start({
      brokerEnv: { ...issuer.brokerEnv, AGENT_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) },
    });
    http = AgentHttp.of(stack);
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
    siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["alice", "bob"] })]);
    bob = await issuer.token(siteId, "bob");
    expect((await http.post("/v1/me/login", bob, { teamIds: ["t1"], connectionId: "bob-desk" })).status).toBe(200);
    await http.put("/v1/me/capacity", bob, { mode: "multi", sessions: 2 });
    await http.put("/v1/me/state", bob, { state: "available" });
    const offerTo = async (id: string) =>
      eventually(async () => {
        const { body } = await http.get("/v1/me/sessions", bob);
        return body.sessions?.find((s) => s.sessionId === id && s.state === "offered");
      }, 15_000);
    sessionId = (await stack.broker.createSession(issueRequest(siteId))).session!.sessionId;
    const first = await offerTo(sessionId);
    expect((await http.post(`/v1/sessions/${sessionId}/accept`, bob, { epoch: first.epoch })).status).toBe(200);
    const second = (await stack.broker.createSession(issueRequest(siteId))).session!.sessionId;
    offered = await offerTo(second);
  });

  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  it.each<[string, () => Promise<string | undefined>, string]>([
    ["no token", () => Promise.resolve(undefined), "TOKEN_MISSING"],
    [
      "an expired token",
      () => issuer.token(siteId, "bob", ["rep"], { expiresIn: Math.floor(Date.now() / 1000) - 120 }),
      "TOKEN_EXPIRED",
    ],
    [
      "a token for another audience",
      () => issuer.token(siteId, "bob", ["rep"], { audience: "another-api" }),
      "TOKEN_INVALID",
    ],
    [
      "a token of another issuer",
      () => issuer.token(siteId, "bob", ["rep"], { issuer: "https://evil.example" }),
      "TOKEN_INVALID",
    ],
    [
      "alg none",
      () =>
        Promise.resolve(
          `${b64({ alg: "none", typ: "JWT" })}.${b64({ site: siteId, sub: "bob", roles: ["admin"], iss: TEST_ISSUER, aud: TEST_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })}.`,
        ),
      "TOKEN_INVALID",
    ],
    [
      "HS256 signed with the broker's public key",
      () =>
        new SignJWT({ site: siteId, roles: ["admin"] })
          .setProtectedHeader({ alg: "HS256", typ: "JWT" })
          .setIssuer(TEST_ISSUER)
          .setAudience(TEST_AUDIENCE)
          .setSubject("bob")
          .setExpirationTime("10m")
          .sign(new TextEncoder().encode(issuer.publicPem)),
      "TOKEN_INVALID",
    ],
    [
      "a token signed by another key",
      async () =>
        new SignJWT({ site: siteId, roles: ["admin"] })
          .setProtectedHeader({ alg: "RS256", typ: "JWT" })
          .setIssuer(TEST_ISSUER)
          .setAudience(TEST_AUDIENCE)
          .setSubject("bob")
          .setExpirationTime("10m")
          .sign((await generateKeyPair("RS256")).privateKey),
      "TOKEN_INVALID",
    ],
  ])("%s: 401 for every command, nothing changed", async (_what, token, reason) => {
    const before = await snapshot();
    const answers = await attempts(await token());
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.contentType).toContain("application/problem+json");
      expect(answer.body).toMatchObject({ status: 401, reason });
      expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a token of another site reaches nothing of this site: its sessions are not found, its reps are others", async () => {
    const otherSite = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["bob"] })]);
    const before = await snapshot();
    for (const roles of [["rep"], ["supervisor"], ["admin"]]) {
      const answers = await attempts(await issuer.token(otherSite, "bob", roles));
      // Sessions are looked up in the token's site, where they do not exist (404); "bob" there is
      // another person, whose presence the rep commands change (or refuse) without touching this site.
      expect(answers.slice(0, 4).map((a) => [a.status, a.body.reason])).toEqual(
        Array.from({ length: 4 }, () => [404, "SESSION_NOT_FOUND"]),
      );
      for (const answer of answers.slice(4)) expect(answer.status).toBeLessThan(500);
    }
    expect(await snapshot()).toEqual(before);
  });

  it("a rep acting as another rep is forbidden (403), and changes nothing", async () => {
    const alice = await issuer.token(siteId, "alice");
    const before = await snapshot();
    const answers = [
      ...(await attempts(alice)),
      await http.get("/v1/reps/bob/sessions", alice),
      await http.get("/v1/reps/bob/queues", alice),
      await http.post("/v1/reps/bob/login", alice, { teamIds: ["t1"], connectionId: "alice-as-bob" }),
    ];
    // Accepting bob's offer as alice is refused by the acd: the offer is not hers (409).
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 409, 403, 403, 403, 403, 403, 403]);
    for (const answer of answers.filter((a) => a.status === 403)) expect(answer.body.reason).toBe("NOT_ALLOWED");
    expect(await snapshot()).toEqual(before);
  });

  it("a supervisor of the site acts on its reps and sessions; a rep on himself", async () => {
    const sam = await issuer.token(siteId, "sam", ["supervisor"]);
    expect((await http.get("/v1/reps/bob/sessions", sam)).body.sessions?.length).toBe(2);
    const chat = await http.post(`/v1/sessions/${sessionId}/messages`, sam, { text: "supervisor here" });
    expect(chat.status).toBe(201);
    const away = await http.put("/v1/reps/bob/state", sam, { state: "busy" });
    expect(away.body.rep?.state).toBe("busy");
    expect((await http.put("/v1/reps/bob/state", bob, { state: "available" })).body.rep?.state).toBe("available");
  });

  it("limits each person's requests per minute, whoever else is limited", async () => {
    const dave = await issuer.token(siteId, "dave");
    // His whole minute's allowance, 20 requests at a time (one after another it took 38 s on a loaded machine).
    const allowed: AgentResponse[] = [];
    for (let sent = 0; sent < RATE_LIMIT; sent += 20)
      allowed.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(20, RATE_LIMIT - sent) }, () => http.get("/v1/me/sessions", dave)),
        )),
      );
    expect(allowed.filter((a) => a.status !== 200).map((a) => a.status)).toEqual([]);
    const limited = await http.get("/v1/me/sessions", dave);
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ status: 429, reason: "RATE_LIMITED" });
    expect(limited.headers.get("ratelimit-policy")).toContain(`${RATE_LIMIT}`);
    // A new token of the same person shares his bucket; another person has his own.
    expect((await http.get("/v1/me/sessions", await issuer.token(siteId, "dave"))).status).toBe(429);
    expect((await http.get("/v1/me/sessions", bob)).status).toBe(200);
  });
});
