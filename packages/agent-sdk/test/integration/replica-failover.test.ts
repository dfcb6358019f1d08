import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  eventually,
  SessionStack,
  TcpBalancer,
  testIssuer,
  type SessionBroker,
  type TestIssuer,
} from "@handoff/testing";
import { AgentApiError, AgentClient, type Offer, type SessionEvent } from "@handoff/agent-sdk";
import { customerAsksForHelp, siteWithTeam } from "../support/agent-fixtures.js";

const REPS = 50;
const SESSIONS = Number(process.env.FAILOVER_SESSIONS ?? 2_000);
/** The replica dies once this share of the sessions has ended. */
const KILL_AT = Math.floor(SESSIONS * 0.3);
/** Sessions created and not yet ended, at most: the customers' side of the load. */
const IN_FLIGHT = REPS * 2;
const RUN_BOUND_MS = 360_000;
const SYSTEM = { actor: 1, id: "", customerToken: "" };

/** Retries a command whose answer was lost with its replica (the request may or may not have landed). */
async function retried<T>(command: () => Promise<T>): Promise<{ value?: T; refused?: AgentApiError; retries: number }> {
  for (let retries = 0; ; retries++) {
    try {
      return { value: await command(), retries };
    } catch (error) {
      const lost = !(error instanceof AgentApiError) || error.status >= 500;
      if (!lost) return { refused: error, retries };
      if (retries >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 + retries * 50));
    }
  }
}

/**
 * One rep working offers as a CRM integration would: accept, say hello, end. It records what the SDK
 * hands it and checks the SDK's promises as they come: each session's events in sequence with no gap
 * and no repeat, each offer once.
 */
class SimulatedRep {
  readonly violations: string[] = [];
  readonly sequences = new Map<string, number[]>();
  readonly ended = new Set<string>();
  readonly closedSeen = new Map<string, number>();
  private readonly offersSeen = new Set<string>();
  private readonly working = new Set<string>();
  connects = 0;
  disconnects = 0;
  readonly closeCodes: number[] = [];
  online = false;
  /** Sessions with events delivered both before and after one of his reconnects. */
  readonly spanningMoves = new Set<string>();
  private readonly sessionsBeforeMove = new Set<string>();

  constructor(
    readonly repId: string,
    readonly agent: AgentClient,
    private readonly onEnded: (sessionId: string) => void,
  ) {
    agent.on("offer", ({ offer }) => this.offered(offer));
    agent.on("session", ({ sessionId, event }) => this.sessionEvent(sessionId, event));
    agent.on("connected", () => {
      this.connects++;
      for (const sessionId of this.working) this.sessionsBeforeMove.add(sessionId);
      this.online = true;
    });
    agent.on("disconnected", ({ code }) => {
      this.disconnects++;
      this.closeCodes.push(code);
      this.online = false;
    });
    agent.on("presence", ({ event }) => {
      // A missed offer (its socket died with the replica) sets him not responding: he comes back.
      const state = event.repStateChanged?.state;
      if (state && state !== "REP_STATE_AVAILABLE" && state !== "REP_STATE_OFFLINE")
        void retried(() => agent.setState("available"));
    });
  }

  private offered(offer: Offer): void {
    const key = `${offer.sessionId}:${offer.epoch}`;
    if (this.offersSeen.has(key)) this.violations.push(`offer ${key} delivered twice`);
    this.offersSeen.add(key);
    if (this.working.has(offer.sessionId)) return;
    this.working.add(offer.sessionId);
    void this.work(offer).finally(() => this.working.delete(offer.sessionId));
  }

  private async work(offer: Offer): Promise<void> {
    const accepted = await retried(() => this.agent.acceptOffer(offer.sessionId, offer.epoch));
    if (accepted.refused) {
      // An accept that landed before its answer was lost is refused on retry only if it is his already.
      const view = await retried(() => this.agent.getSession(offer.sessionId));
      const mine = (view.value as { session?: { state?: string; repId?: string } } | undefined)?.session;
      if (!(accepted.retries > 0 && mine?.state === "active" && mine.repId === this.repId)) return;
    }
    await retried(() => this.agent.sendChat(offer.sessionId, `hello from ${this.repId}`));
    const end = await retried(() => this.agent.end(offer.sessionId, "resolved"));
    if (end.refused && end.retries === 0) {
      this.violations.push(`end of ${offer.sessionId} refused: ${end.refused.message}`);
      return;
    }
    this.ended.add(offer.sessionId);
    this.onEnded(offer.sessionId);
  }

  private sessionEvent(sessionId: string, event: SessionEvent): void {
    const seen = this.sequences.get(sessionId) ?? [];
    const last = seen.at(-1);
    if (last !== undefined && event.sequence !== last + 1)
      this.violations.push(`session ${sessionId}: event ${event.sequence} after ${last}`);
    seen.push(event.sequence);
    this.sequences.set(sessionId, seen);
    if (this.sessionsBeforeMove.has(sessionId) && seen.length > 1) this.spanningMoves.add(sessionId);
    // A rep's feed ends with his own leaving: for a session he ended, reason "ended" just before the close.
    if (event.participantLeft?.repId === this.repId && event.participantLeft.reason === "ended")
      this.closedSeen.set(sessionId, (this.closedSeen.get(sessionId) ?? 0) + 1);
  }
}

function closeCodeCounts(reps: SimulatedRep[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const code of reps.flatMap((rep) => rep.closeCodes)) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}

describe("50 reps on the SDK while a broker replica is killed", () => {
  let stack: SessionStack;
  let issuer: TestIssuer;
  let balancer: TcpBalancer;
  const reps: SimulatedRep[] = [];

  beforeAll(async () => {
    issuer = await testIssuer("AGENT");
    stack = await SessionStack.start({ brokers: 2, brokerEnv: issuer.env });
    balancer = await TcpBalancer.start(stack.brokers.map((replica) => replica.process.httpPort!));
  });

  afterAll(async () => {
    for (const rep of reps) rep.agent.close();
    await balancer?.stop();
    await stack?.stop();
  });

  it(
    `works ${SESSIONS} sessions end to end; every SDK resumes on the survivor with no event missed or repeated`,
    async () => {
      const repIds = Array.from({ length: REPS }, (_, i) => `rep-${String(i).padStart(2, "0")}`);
      const siteId = await siteWithTeam(stack, repIds);
      const endedBy = new Map<string, string[]>();
      for (const repId of repIds) {
        const agent = new AgentClient({
          baseUrl: balancer.url,
          token: () => issuer.token(siteId, repId),
          reconnectMinMs: 100,
          reconnectMaxMs: 2_000,
        });
        reps.push(
          new SimulatedRep(repId, agent, (sessionId) =>
            endedBy.set(sessionId, [...(endedBy.get(sessionId) ?? []), repId]),
          ),
        );
      }
      await Promise.all(
        reps.map(async ({ agent }) => {
          await agent.connect();
          await agent.login(["t1"]);
          await agent.setCapacity("multi", 2);
          await agent.setState("available");
        }),
      );

      // Customers arrive through the replica that survives: the proof is about the reps' side.
      const survivor: SessionBroker = stack.brokers[1]!.client;
      const created: string[] = [];
      let killedAt: number | undefined;
      const deadline = Date.now() + RUN_BOUND_MS;
      while (endedBy.size < SESSIONS && Date.now() < deadline) {
        if (created.length < SESSIONS && created.length - endedBy.size < IN_FLIGHT) {
          const batch = Math.min(10, SESSIONS - created.length, IN_FLIGHT - (created.length - endedBy.size));
          created.push(
            ...(await Promise.all(Array.from({ length: batch }, () => customerAsksForHelp(stack, siteId, survivor)))),
          );
        } else await new Promise((resolve) => setTimeout(resolve, 20));
        if (killedAt === undefined && endedBy.size >= KILL_AT) {
          killedAt = endedBy.size;
          await stack.stopBroker(0, "SIGKILL");
        }
      }

      expect(killedAt, "the replica was killed mid-run").toBeDefined();
      expect(endedBy.size, "sessions ended within the bound").toBe(SESSIONS);
      const movedReps = reps.filter((rep) => rep.disconnects > 0);
      expect(movedReps.length, "reps whose socket was on the killed replica").toBeGreaterThan(0);
      for (const rep of movedReps) await eventually(() => rep.online && rep.connects > 1, 15_000, "reconnect");
      // The last events (each session's end) reach the reps' sockets after the HTTP answers.
      for (const rep of reps)
        await eventually(
          () => [...rep.ended].every((id) => rep.closedSeen.has(id)),
          15_000,
          `${rep.repId} sees the end of every session he ended`,
        );

      expect(reps.flatMap((rep) => rep.violations)).toEqual([]);
      for (const rep of reps)
        for (const [sessionId, count] of rep.closedSeen) expect(count, `${sessionId} end seen once`).toBe(1);
      expect([...endedBy.values()].filter((by) => by.length !== 1)).toEqual([]);

      // The durable truth: every session ended, with exactly one close in its history.
      const closesOf = async (sessionId: string) => {
        const { events } = await survivor.listSessionEvents({
          siteId,
          sessionId,
          requester: SYSTEM,
          afterSequence: 0,
          limit: 500,
        });
        return events.filter((event) => event.payload?.$case === "sessionClosed").length;
      };
      const closes: number[] = [];
      for (let i = 0; i < created.length; i += 50)
        closes.push(...(await Promise.all(created.slice(i, i + 50).map(closesOf))));
      expect(closes.filter((count) => count !== 1)).toEqual([]);
      console.info(
        `failover: ${SESSIONS} sessions, ${REPS} reps, replica killed after ${killedAt} ended, ` +
          `${movedReps.length} reps moved to the survivor with ` +
          `${movedReps.reduce((n, rep) => n + rep.spanningMoves.size, 0)} sessions in progress; ` +
          `socket close codes seen: ${JSON.stringify(closeCodeCounts(reps))}`,
      );
    },
    RUN_BOUND_MS + 120_000,
  );
});
