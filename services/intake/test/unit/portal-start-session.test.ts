import { HttpProblem } from "@handoff/runtime";
import { SessionState, StartMethod, type WaitEstimate } from "@handoff/proto/common";
import type { CreateSessionRequest, CreateSessionResponse } from "@handoff/proto/session_broker_service";
import { describe, expect, it } from "vitest";
import { portalConfigSchema } from "../../src/domain/portal-config";
import type { CustomerBroker } from "../../src/portal/customer-broker";
import { startSessionBody } from "../../src/portal/portal-schemas";
import type { SitePortal } from "../../src/portal/site-portals";
import { startSession } from "../../src/portal/start-session";

const AT = Date.parse("2026-11-27T17:50:00Z");

/** Open every day in UTC, but today only until 18:00. */
const portal: SitePortal = {
  siteId: "site-1",
  version: 1,
  routing: undefined,
  config: portalConfigSchema.parse({
    startMethods: { repList: true, issueForm: true, sessionKey: true, clientModes: ["click_to_chat"] },
    problemTypes: ["printer"],
    messages: { greeting: "Hi", hold: "Hold on", holdIntervalSeconds: 60 },
    schedule: {
      timeZone: "UTC",
      weekly: Object.fromEntries(
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"].map((day) => [
          day,
          [{ opens: "00:00", closes: "24:00" }],
        ]),
      ),
      exceptions: [{ date: "2026-11-27", hours: [{ opens: "00:00", closes: "18:00" }] }],
    },
  }),
};

/** Creates session s-1 for each start; a repeat-only start finds one made with its idempotency key. */
function fakeBroker(created: CreateSessionRequest[]): CustomerBroker {
  const answer = (request: CreateSessionRequest): Promise<CreateSessionResponse> =>
    Promise.resolve({
      session: {
        siteId: request.siteId,
        sessionId: "s-1",
        state: SessionState.SESSION_STATE_WAITING,
        granted: [],
        lastSequence: 3,
      } as unknown as CreateSessionResponse["session"],
      position: { position: 4, queueLength: 4, estimate: { p50Ms: 300_000, p90Ms: 900_000, known: true } },
      noRepAvailable: false,
      fallbackUrl: "",
      customerToken: "t".repeat(32),
    });
  return {
    createSession: (request: CreateSessionRequest) => {
      created.push(request);
      return answer(request);
    },
    repeatedStart: (request: CreateSessionRequest) =>
      created.some((c) => c.idempotencyKey === request.idempotencyKey) ? answer(request) : Promise.resolve(undefined),
  } as unknown as CustomerBroker;
}

const minutes = (n: number): WaitEstimate => ({ p50Ms: (n / 2) * 60_000, p90Ms: n * 60_000, known: true });
const issue = (extra: Record<string, unknown> = {}) =>
  startSessionBody.parse({
    method: "issue",
    problemTypeId: "printer",
    consent: { agreementAccepted: true, recordingAllowed: false },
    ...extra,
  });

describe("closing-time admission when starting a session", () => {
  it("tells a customer whose P90 wait ends after closing before he queues, and queues him when he asks again", async () => {
    const created: CreateSessionRequest[] = [];
    const deps = { broker: fakeBroker(created), waits: { estimate: () => Promise.resolve(minutes(15)) } };
    const refused = await startSession(deps, portal, issue(), "127.0.0.1", AT).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(HttpProblem);
    expect(refused).toMatchObject({
      status: 409,
      extensions: { reason: "CLOSING_SOON", closesAt: "2026-11-27T18:00:00.000Z", estimate: { p90Ms: 900_000 } },
    });
    expect(created).toEqual([]);

    const started = await startSession(deps, portal, issue({ queueAfterClosing: true }), "127.0.0.1", AT);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ startMethod: StartMethod.START_METHOD_ISSUE_SUBMISSION, portalClosed: false });
    expect(started.closing).toEqual({ waitEndsAfterClosing: true, closesAt: "2026-11-27T18:00:00.000Z" });
  });

  it("lets a customer queue at once when his wait ends before closing or nobody knows it", async () => {
    for (const estimate of [minutes(5), { p50Ms: 0, p90Ms: 0, known: false }]) {
      const created: CreateSessionRequest[] = [];
      const deps = { broker: fakeBroker(created), waits: { estimate: () => Promise.resolve(estimate) } };
      await startSession(deps, portal, issue(), "127.0.0.1", AT);
      expect(created).toHaveLength(1);
    }
  });

  it("does not hold up a customer when the acd gives no estimate, nor ask a key's customer", async () => {
    const created: CreateSessionRequest[] = [];
    const down = { estimate: () => Promise.reject(new Error("acd down")) };
    await startSession({ broker: fakeBroker(created), waits: down }, portal, issue(), "127.0.0.1", AT);
    const never = { estimate: () => Promise.reject(new Error("must not be asked")) };
    const key = startSessionBody.parse({
      method: "session_key",
      sessionKey: "7K3M-9QX2-TD",
      consent: { agreementAccepted: true, recordingAllowed: false },
    });
    await startSession({ broker: fakeBroker(created), waits: never }, portal, key, "127.0.0.1", AT);
    expect(created.map((c) => c.sessionKey)).toEqual(["", "7K3M9QX2TD"]);
  });
});

describe("a retried start whose rules changed since its first start", () => {
  it("answers the session its idempotency key started although it would now be told closing is near", async () => {
    const created: CreateSessionRequest[] = [];
    const key = "retry-key-0123456789";
    const early = { broker: fakeBroker(created), waits: { estimate: () => Promise.resolve(minutes(5)) } };
    await startSession(early, portal, issue(), "127.0.0.1", AT, key);
    const late = { broker: early.broker, waits: { estimate: () => Promise.resolve(minutes(15)) } };
    const retried = await startSession(late, portal, issue(), "127.0.0.1", AT, key);
    expect(retried).toMatchObject({ sessionId: "s-1", customerToken: "t".repeat(32) });
    expect(created).toHaveLength(1);

    const unused = await startSession(late, portal, issue(), "127.0.0.1", AT, "other-key-0123456789").catch(
      (e: unknown) => e,
    );
    expect(unused).toMatchObject({ status: 409, extensions: { reason: "CLOSING_SOON" } });
    expect(created).toHaveLength(1);
  });
});
