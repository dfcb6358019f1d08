import { status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorReason } from "@handoff/runtime";
import type { AbandonReason, Actor, ClientMode, EndReason } from "@handoff/proto/common";
import { SessionState, StartMethod } from "@handoff/proto/common";
import { DisconnectFallback, type CreateSessionRequest } from "@handoff/proto/session_broker_service";
import {
  asCustomer,
  asRep,
  asSupervisor,
  createRequest,
  eventually,
  issueRequest,
  refusal,
  SessionStack,
  teamConfig,
  siteWithTeams,
} from "@handoff/testing";
import pg from "pg";

const settings = {
  fallbackUrl: "",
  queueWhenNoRep: true,
  sessionKeyTtlMs: 0,
  invitationTtlMs: 0,
  accessLinkTtlMs: 0,
  disconnectGraceMs: 0,
  disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_REQUEUE,
  disconnectFallbackTeamId: "",
  invitationBaseUrl: "",
  version: 0,
};

describe("session-broker bad input", () => {
  let stack: SessionStack;
  let db: pg.Pool;
  let siteId: string;
  let sessionId: string;
  let customerToken: string;
  let epoch: number;

  /** Everything the broker holds for the test's site, to prove a refusal changed nothing. */
  const snapshot = async () =>
    (
      await db.query(
        `select (select count(*) from sessions where site_id = $1) as sessions,
                (select count(*) from session_events where site_id = $1) as events,
                (select count(*) from session_outbox where site_id = $1) as outbox,
                (select count(*) from session_participants where site_id = $1) as participants,
                (select count(*) from broker_settings where site_id = $1) as settings`,
        [siteId],
      )
    ).rows[0] as Record<string, string>;

  beforeAll(async () => {
    stack = await SessionStack.start();
    db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 2 });
    siteId = await siteWithTeams(stack, [teamConfig("t1", { memberRepIds: ["alice"] })]);
    await stack.repOnline(siteId, "alice", ["t1"]);
    const created = await stack.broker.createSession(issueRequest(siteId));
    sessionId = created.session!.sessionId;
    customerToken = created.customerToken;
    epoch = (
      await eventually(async () => {
        const { session } = await stack.broker.getSession({ siteId, sessionId, requester: asRep("alice") });
        return session?.state === SessionState.SESSION_STATE_OFFERED ? session : undefined;
      })
    ).epoch;
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  const create = (overrides: Partial<CreateSessionRequest>) =>
    stack.broker.createSession(createRequest(siteId, overrides));
  const customer = (overrides: object) => createRequest(siteId, { repId: "alice", ...overrides }).customer!;

  it.each<[string, Partial<CreateSessionRequest>, string]>([
    ["an empty site id", { siteId: "", repId: "alice" }, "site_id"],
    ["a site id with key characters", { siteId: "a{b}", repId: "alice" }, "site_id"],
    ["no start method", { startMethod: StartMethod.START_METHOD_UNSPECIFIED }, "start_method"],
    ["an unknown start method", { startMethod: 42 as StartMethod }, "start_method"],
    ["an unknown client mode", { repId: "alice", clientMode: 9 as ClientMode }, "client_mode"],
    ["a rep-list start without a rep", { repId: "" }, "rep_id"],
    ["an oversize rep id", { repId: "r".repeat(129) }, "rep_id"],
    [
      "an issue submission without a problem type",
      { startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION },
      "problem_type_id",
    ],
    [
      "an unknown problem type",
      { startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION, problemTypeId: "nope" },
      "problem_type_id",
    ],
    ["a key start without a key", { startMethod: StartMethod.START_METHOD_SESSION_KEY }, "session_key"],
    [
      "an oversize key",
      { startMethod: StartMethod.START_METHOD_SESSION_KEY, sessionKey: "K".repeat(65) },
      "session_key",
    ],
    [
      "an invitation start without a token",
      { startMethod: StartMethod.START_METHOD_INVITATION_LINK },
      "invitation_token",
    ],
    [
      "an agreement not accepted",
      {
        repId: "alice",
        consent: {
          agreementAccepted: false,
          agreementVersion: "1",
          recordingAllowed: false,
          accessLinkAllowed: false,
          recordedAtMs: 0,
        },
      },
      "consent.agreement_accepted",
    ],
    ["no consent", { repId: "alice", consent: undefined }, "consent.agreement_accepted"],
    [
      "an oversize agreement version",
      {
        repId: "alice",
        consent: {
          agreementAccepted: true,
          agreementVersion: "v".repeat(65),
          recordingAllowed: false,
          accessLinkAllowed: false,
          recordedAtMs: 0,
        },
      },
      "consent.agreement_version",
    ],
    ["an oversize name", { customer: customer({}), repId: "alice" }, "customer.name"],
    ["a bad e-mail address", { repId: "alice" }, "customer.email"],
    ["a description over 4,000 characters", { repId: "alice" }, "customer.description"],
    ["a control character in the name", { repId: "alice" }, "customer.name"],
    ["a bad locale", { repId: "alice" }, "customer.locale"],
    ["an oversize client address", { repId: "alice", clientAddress: "1".repeat(65) }, "client_address"],
  ])("refuses a session with %s, naming the field", async (what, overrides, field) => {
    const base = createRequest(siteId, { repId: "alice" }).customer!;
    const bad: Partial<CreateSessionRequest> = { ...overrides };
    if (what === "an oversize name") bad.customer = { ...base, name: "n".repeat(201) };
    if (what === "a bad e-mail address") bad.customer = { ...base, email: "not-an-address" };
    if (what === "a description over 4,000 characters") bad.customer = { ...base, description: "d".repeat(4_001) };
    if (what === "a control character in the name") bad.customer = { ...base, name: "Carl\u0000" };
    if (what === "a bad locale") bad.customer = { ...base, locale: "english please" };
    const before = await snapshot();
    const error = await refusal(create(bad));
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details.startsWith(`${field}:`)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    [
      "an empty session id",
      () => stack.broker.getSession({ siteId, sessionId: "", requester: asRep("alice") }),
      "session_id",
    ],
    ["no requester", () => stack.broker.getSession({ siteId, sessionId, requester: undefined }), "requester.actor"],
    [
      "an unknown actor",
      () =>
        stack.broker.getSession({ siteId, sessionId, requester: { actor: 9 as Actor, id: "x", customerToken: "" } }),
      "requester.actor",
    ],
    [
      "a customer without a token",
      () => stack.broker.getSession({ siteId, sessionId, requester: asCustomer("") }),
      "requester.customer_token",
    ],
    ["a rep without an id", () => stack.broker.getSession({ siteId, sessionId, requester: asRep("") }), "requester.id"],
    [
      "an accept without an epoch",
      () => stack.broker.acceptSessionOffer({ siteId, sessionId, repId: "alice", epoch: 0 }),
      "epoch",
    ],
    [
      "an accept without a rep",
      () => stack.broker.acceptSessionOffer({ siteId, sessionId, repId: "", epoch }),
      "rep_id",
    ],
    [
      "a reject with a bad session id",
      () => stack.broker.rejectSessionOffer({ siteId, sessionId: "a b", repId: "alice", epoch }),
      "session_id",
    ],
    ["a take-next without a rep", () => stack.broker.takeNextSession({ siteId, repId: "" }), "rep_id"],
    [
      "a close with an unknown reason",
      () =>
        stack.broker.closeSession({
          siteId,
          sessionId,
          requester: asRep("alice"),
          reason: 77 as EndReason,
          abandonReason: 0,
        }),
      "reason",
    ],
    [
      "a customer closing as resolved",
      () =>
        stack.broker.closeSession({
          siteId,
          sessionId,
          requester: asCustomer(customerToken),
          reason: 1,
          abandonReason: 0,
        }),
      "reason",
    ],
    [
      "a close with an unknown abandon reason",
      () =>
        stack.broker.closeSession({
          siteId,
          sessionId,
          requester: asCustomer(customerToken),
          reason: 0,
          abandonReason: 99 as AbandonReason,
        }),
      "abandon_reason",
    ],
    ["settings without settings", () => stack.broker.putBrokerSettings({ siteId, settings: undefined }), "settings"],
    [
      "a key lifetime under a minute",
      () => stack.broker.putBrokerSettings({ siteId, settings: { ...settings, sessionKeyTtlMs: 59_999 } }),
      "settings.session_key_ttl_ms",
    ],
    [
      "a grace period of two hours",
      () => stack.broker.putBrokerSettings({ siteId, settings: { ...settings, disconnectGraceMs: 7_200_000 } }),
      "settings.disconnect_grace_ms",
    ],
    [
      "a fallback URL that is not one",
      () => stack.broker.putBrokerSettings({ siteId, settings: { ...settings, fallbackUrl: "javascript:alert(1)" } }),
      "settings.fallback_url",
    ],
    [
      "a team fallback without a team",
      () =>
        stack.broker.putBrokerSettings({
          siteId,
          settings: { ...settings, disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_TEAM },
        }),
      "settings.disconnect_fallback_team_id",
    ],
    [
      "an unknown fallback rule",
      () =>
        stack.broker.putBrokerSettings({
          siteId,
          settings: { ...settings, disconnectFallback: 9 as DisconnectFallback },
        }),
      "settings.disconnect_fallback",
    ],
  ])("refuses %s, naming the field, and changes nothing", async (_what, call, field) => {
    const before = await snapshot();
    const error = await refusal(call());
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details.startsWith(`${field}:`)).toBe(true);
    expect(await snapshot()).toEqual(before);
  });

  it("refuses a stale or foreign accept with FAILED_PRECONDITION and a machine-readable reason", async () => {
    const before = await snapshot();
    const stale = await refusal(
      stack.broker.acceptSessionOffer({ siteId, sessionId, repId: "alice", epoch: epoch + 5 }),
    );
    expect(stale.code).toBe(status.FAILED_PRECONDITION);
    expect(errorReason(stale)).toBeTruthy();
    const foreign = await refusal(stack.broker.acceptSessionOffer({ siteId, sessionId, repId: "bob", epoch }));
    expect(foreign.code).toBe(status.FAILED_PRECONDITION);
    expect(errorReason(foreign)).toBeTruthy();
    expect(await snapshot()).toEqual(before);
  });

  it("refuses an unknown session with NOT_FOUND and a customer of another session with PERMISSION_DENIED", async () => {
    const missing = await refusal(
      stack.broker.getSession({ siteId, sessionId: "nope", requester: asSupervisor("sam") }),
    );
    expect(missing.code).toBe(status.NOT_FOUND);
    expect(errorReason(missing)).toBe("SESSION_NOT_FOUND");
    const intruder = await refusal(
      stack.broker.getSession({ siteId, sessionId, requester: asCustomer("x".repeat(43)) }),
    );
    expect(intruder.code).toBe(status.PERMISSION_DENIED);
    expect(errorReason(intruder)).toBe("NOT_ALLOWED");
  });
});
