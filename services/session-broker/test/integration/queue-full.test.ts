import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Actor, EndReason, RepState, SessionState } from "@handoff/proto/common";
import { DisconnectFallback } from "@handoff/proto/session_broker_service";
import { asSupervisor, eventually, issueRequest, teamConfig, siteWithTeams } from "@handoff/testing";
import { startPrivateStack, type PrivateStack } from "../support/private-stack";

const FALLBACK = "https://example.com/contact";

describe("a full queue", () => {
  let env: PrivateStack;
  beforeAll(async () => {
    // Its own Redis, so the reconciler under test is this stack's leader.
    env = await startPrivateStack({
      acdEnv: { MAX_WAITING_PER_TEAM: "1" },
      brokerEnv: { RECONCILE_INTERVAL_MS: "500" },
    });
  }, 120_000);
  afterAll(async () => {
    await env?.stop();
  });

  async function siteWithFallback(): Promise<string> {
    const siteId = await siteWithTeams(env.stack, [teamConfig("t1", { memberRepIds: ["alice"] })]);
    await env.stack.broker.putBrokerSettings({
      siteId,
      settings: {
        fallbackUrl: FALLBACK,
        queueWhenNoRep: true,
        sessionKeyTtlMs: 0,
        invitationTtlMs: 0,
        accessLinkTtlMs: 0,
        disconnectGraceMs: 0,
        disconnectFallback: DisconnectFallback.DISCONNECT_FALLBACK_REQUEUE,
        disconnectFallbackTeamId: "",
        invitationBaseUrl: "",
        version: 0,
      },
    });
    return siteId;
  }

  const stateOf = async (siteId: string, sessionId: string) =>
    (await env.stack.broker.getSession({ siteId, sessionId, requester: asSupervisor("sam") })).session!;

  it("ends the session at once and sends the customer to the fallback", async () => {
    const { stack } = env;
    const siteId = await siteWithFallback();
    await stack.repOnline(siteId, "alice", ["t1"]);

    // alice's one unit takes the first session as an offer; the second fills the team's one waiting place.
    const offered = await stack.broker.createSession(issueRequest(siteId));
    const waiting = await stack.broker.createSession(issueRequest(siteId));
    expect(offered).toMatchObject({ noRepAvailable: false, fallbackUrl: "" });
    expect(waiting).toMatchObject({ noRepAvailable: false, fallbackUrl: "" });
    expect(waiting.session?.state).toBe(SessionState.SESSION_STATE_WAITING);
    expect(waiting.position?.position).toBe(1);

    const full = await stack.broker.createSession(issueRequest(siteId));
    expect(full).toMatchObject({ noRepAvailable: true, fallbackUrl: FALLBACK });
    expect(full.session).toMatchObject({
      state: SessionState.SESSION_STATE_ENDED,
      endReason: EndReason.END_REASON_NO_REP_AVAILABLE,
    });
    await expect(stack.acd.getSessionRouting({ siteId, sessionId: full.session!.sessionId })).rejects.toThrow();
    expect((await stateOf(siteId, waiting.session!.sessionId)).state).toBe(SessionState.SESSION_STATE_WAITING);
  });

  it("lets the reconciler end a created session whose queue is full instead of retrying it on every pass", async () => {
    const { stack } = env;
    const siteId = await siteWithFallback();
    // alice is known to the acd but away: nothing is offered, so the sessions wait in the team's queue.
    await stack.repOnline(siteId, "alice", ["t1"]);
    await stack.presence.setState({
      siteId,
      repId: "alice",
      state: RepState.REP_STATE_AWAY,
      reasonCode: "break",
      actor: Actor.ACTOR_REP,
      actorId: "alice",
    });
    await stack.stopAcd();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await stack.broker.createSession(issueRequest(siteId));
      expect(created.session?.state).toBe(SessionState.SESSION_STATE_CREATED);
      ids.push(created.session!.sessionId);
      // The reconciler enqueues in creation order.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await stack.restartAcd();

    await eventually(
      async () =>
        (await Promise.all(ids.map((id) => stateOf(siteId, id)))).every(
          (s) => s.state !== SessionState.SESSION_STATE_CREATED,
        ),
      30_000,
      "no session left created",
    );
    const [first, ...rest] = await Promise.all(ids.map((id) => stateOf(siteId, id)));
    expect(first?.state).toBe(SessionState.SESSION_STATE_WAITING);
    for (const session of rest)
      expect(session).toMatchObject({
        state: SessionState.SESSION_STATE_ENDED,
        endReason: EndReason.END_REASON_NO_REP_AVAILABLE,
      });
  });
});
