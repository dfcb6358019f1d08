import { randomUUID } from "node:crypto";
import type { AgentClient, Offer, SessionEvent } from "@handoff/agent-sdk";
import { prng, type Prng } from "../prng";
import { newSiteId } from "../site-fixtures";
import { countLiveSessions } from "./system-invariants";
import type { SystemStack } from "./system-stack";

export const TEAM = "support";
export const PROBLEM_TYPE = "printer";
const AGREEMENT = "2026-11";

export interface ContactCenterOptions {
  /** Simulated reps on the agent SDK, one session at a time each. */
  reps: number;
  /** Mean Poisson arrival rate of customers through intake. */
  arrivalRatePerSecond: number;
  /** Mean of the exponential handle time (accept → end). */
  meanHandleMs: number;
  /** A rep accepts an offer after a delay uniform in [min, max]. */
  acceptDelayMs: readonly [number, number];
  /** The team's offer timeout (a missed offer goes to the next rep after it). @default 30000 */
  offerTimeoutMs?: number;
  /** Seed of every random choice (arrival gaps, delays, handle times). @default 1 */
  seed?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** One customer's start through intake's public API, as the widget sends it. */
export interface CustomerStart {
  /** performance.now() when the first attempt was sent. */
  sentAtMs: number;
  /** performance.now() when the 201 came; undefined while unacknowledged. */
  acknowledgedAtMs?: number;
  sessionId?: string;
  /** Attempts made (a lost answer is retried with the same Idempotency-Key). */
  attempts: number;
  /**
   * The 201 said no rep is available (no eligible rep logged in): the customer was sent to the
   * fallback at once and the session ended, so no rep will ever serve it.
   */
  noRepAvailable?: boolean;
  /** Why each retry was needed ("503 ROUTING_UNAVAILABLE …", "fetch failed"), with when the failed attempt was sent. */
  retryCauses: { sentAtMs: number; cause: string }[];
  /** Why the start failed after its retries, if it did. */
  error?: string;
}

/** What happened to one session on the reps' side. */
export interface SessionOnRepSide {
  /** performance.now() of the first offer frame on any rep's socket. */
  firstOfferAtMs?: number;
  /** Reps whose accept succeeded (more than one is a double assignment). */
  acceptedBy: string[];
  acceptedAtMs?: number;
  /** Successful ends (a retried end that had landed counts once). */
  ends: number;
  endedAtMs?: number;
}

/** Reps' commands retry a network error or a 5xx this many times, backing off 100 ms + 50 ms a try. */
export const REP_RETRIES = 40;
/**
 * Customers' starts retry a lost answer (a broken connection, a timeout, 502-504) this many times,
 * backing off 200 ms more each try, with the start's Idempotency-Key, as the widget does: intake then
 * answers the session the first attempt started, never a second one. A refusal is not retried.
 */
export const CUSTOMER_RETRIES = 10;
/** A start not answered within this counts as failed. */
const START_TIMEOUT_MS = 60_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** An SDK error that means the request's answer was lost (network, 5xx), not a refusal. */
function isLost(error: unknown): boolean {
  const status = (error as { status?: unknown }).status;
  return typeof status !== "number" || status >= 500;
}

/**
 * A contact center under load through the public APIs only: one site set up by its admin through
 * intake (a team of `reps`, an issue form), customers arriving as a Poisson process through intake's
 * public HTTP API (any replica, through the balancer), and reps on the agent SDK (through the broker's
 * balancer) who accept each offer after a random delay and end the session after an exponential
 * handle time. It records what customers and reps saw; the invariants are checked against PostgreSQL,
 * Kafka and reporting by `checkSystemInvariants`.
 */
export class ContactCenter {
  readonly starts: CustomerStart[] = [];
  readonly sessions = new Map<string, SessionOnRepSide>();
  /** Problems the reps' SDKs showed: an offer twice, events out of sequence, a refused end... */
  readonly violations: string[] = [];
  /** Rep commands that failed after their retries, and refusals, by "command: reason". */
  readonly repErrors = new Map<string, number>();
  /** Retries the reps' commands needed (each one a lost answer). */
  repRetries = 0;
  /** performance.now() of every offer frame on a rep's socket, in order. */
  readonly offerFrames: number[] = [];
  /** Socket closes the reps' SDKs saw, by close code. */
  readonly socketCloses = new Map<number, number>();
  private readonly random: Prng;
  private readonly agents: AgentClient[] = [];
  private readonly eventSequences = new Map<string, number>();
  private readonly offersSeen = new Set<string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private arrivals = 0;

  private constructor(
    readonly stack: SystemStack,
    readonly siteId: string,
    readonly repIds: string[],
    private readonly options: ContactCenterOptions,
  ) {
    this.random = prng(options.seed ?? 1);
  }

  /** Sets the site up through intake's admin API and brings every rep online on the SDK. */
  static async open(stack: SystemStack, options: ContactCenterOptions): Promise<ContactCenter> {
    const siteId = newSiteId();
    const repIds = Array.from({ length: options.reps }, (_, i) => `rep-${String(i).padStart(3, "0")}`);
    const center = new ContactCenter(stack, siteId, repIds, options);
    await center.configureSite();
    const { AgentClient } = await import("@handoff/agent-sdk");
    for (const repId of repIds) {
      const agent = new AgentClient({
        baseUrl: stack.httpUrl("session-broker"),
        token: () => stack.agentIssuer.token(siteId, repId, ["rep"]),
        reconnectMinMs: 100,
        reconnectMaxMs: 2_000,
      });
      center.agents.push(agent);
      center.follow(repId, agent);
    }
    await Promise.all(center.agents.map((agent) => agent.connect()));
    await center.repsLogIn();
    return center;
  }

  /** The site's routing config put again through intake's admin API (the runbook after Redis lost it). */
  async reapplyRoutingConfig(): Promise<void> {
    await this.configureSite(false);
  }

  /** Every rep's desktop logs in, goes single-session and available (again: the runbook after Redis lost presence). */
  async repsLogIn(): Promise<void> {
    await Promise.all(
      this.agents.map(async (agent) => {
        await this.retried("login", () => agent.login([TEAM]));
        await this.retried("capacity", () => agent.setCapacity("single"));
        await this.retried("state", () => agent.setState("available"));
      }),
    );
  }

  private async configureSite(withPortal = true): Promise<void> {
    const token = await this.stack.adminIssuer.token(this.siteId, "ada", ["admin"]);
    const put = async (path: string, body: unknown) => {
      const response = await fetch(`${this.stack.intakeAdminUrl()}${path}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (response.status !== 200) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    };
    await put("/v1/admin/routing-config", {
      teams: [
        {
          id: TEAM,
          name: "Support",
          strategy: "longest_idle",
          overflow: [],
          transferKeepsWaitTime: false,
          transferPriorityBoost: 0,
          memberRepIds: this.repIds,
          offerTimeoutMs: this.options.offerTimeoutMs ?? 30_000,
        },
      ],
      problemTypes: [{ id: PROBLEM_TYPE, label: "Printer", teamId: TEAM, priority: 0, requiredSkills: [] }],
    });
    if (!withPortal) return;
    await put("/v1/admin/portal-config", {
      expectedVersion: 0,
      config: {
        startMethods: { repList: false, issueForm: true, sessionKey: false, clientModes: ["click_to_chat"] },
        problemTypes: [PROBLEM_TYPE],
        agreement: { version: AGREEMENT, text: "I let the rep see my screen." },
        messages: { greeting: "You are number {{position}}.", hold: "Still {{position}}.", holdIntervalSeconds: 3_600 },
      },
    });
  }

  private session(sessionId: string): SessionOnRepSide {
    let entry = this.sessions.get(sessionId);
    if (!entry) {
      entry = { acceptedBy: [], ends: 0 };
      this.sessions.set(sessionId, entry);
    }
    return entry;
  }

  private count(map: Map<string, number>, key: string): void {
    map.set(key, (map.get(key) ?? 0) + 1);
  }

  /** Runs `command`, retrying a lost answer; a refusal is returned, not thrown. */
  private async retried<T>(
    what: string,
    command: () => Promise<T>,
  ): Promise<{ value?: T; refused?: { status: number; reason?: string; message: string }; retries: number }> {
    for (let retries = 0; ; retries++) {
      try {
        return { value: await command(), retries };
      } catch (error) {
        if (!isLost(error)) {
          const { status, reason } = error as { status: number; reason?: string };
          return { refused: { status, reason, message: describe(error) }, retries };
        }
        if (retries >= REP_RETRIES) {
          this.count(this.repErrors, `${what}: ${describe(error)}`);
          throw error;
        }
        this.repRetries++;
        await sleep(100 + retries * 50);
      }
    }
  }

  private follow(repId: string, agent: AgentClient): void {
    agent.on("offer", ({ offer }) => this.offered(repId, agent, offer));
    agent.on("session", ({ sessionId, event }) => this.sessionEvent(repId, sessionId, event));
    agent.on("disconnected", ({ code }) => this.socketCloses.set(code, (this.socketCloses.get(code) ?? 0) + 1));
    agent.on("presence", ({ event }) => {
      // An offer missed while his socket moved sets him not responding: he comes back, as a rep would.
      const state = event.repStateChanged?.state;
      if (state && state !== "REP_STATE_AVAILABLE" && state !== "REP_STATE_OFFLINE")
        this.track(this.retried("state", () => agent.setState("available")).catch(() => undefined));
    });
  }

  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private offered(repId: string, agent: AgentClient, offer: Offer): void {
    const key = `${repId}:${offer.sessionId}:${offer.epoch}`;
    if (this.offersSeen.has(key)) {
      this.violations.push(`offer ${key} delivered twice`);
      return;
    }
    this.offersSeen.add(key);
    this.offerFrames.push(performance.now());
    const entry = this.session(offer.sessionId);
    entry.firstOfferAtMs ??= performance.now();
    this.track(this.work(repId, agent, offer));
  }

  private uniform([min, max]: readonly [number, number]): number {
    return min + this.random.next() * (max - min);
  }

  private exponential(mean: number): number {
    return -Math.log(1 - this.random.next()) * mean;
  }

  /** Accept after a delay, hold for an exponential handle time, end: with the retries a CRM integration makes. */
  private async work(repId: string, agent: AgentClient, offer: Offer): Promise<void> {
    const entry = this.session(offer.sessionId);
    await sleep(this.uniform(this.options.acceptDelayMs));
    try {
      const accepted = await this.retried("accept", () => agent.acceptOffer(offer.sessionId, offer.epoch));
      if (accepted.refused) {
        // An accept that landed before its answer was lost is refused on retry, yet the session is his.
        const view = await this.retried("get", () => agent.getSession(offer.sessionId));
        const session = (view.value as { session?: { state?: string; repId?: string } } | undefined)?.session;
        if (!(accepted.retries > 0 && session?.state === "active" && session.repId === repId)) {
          this.count(this.repErrors, `accept refused: ${accepted.refused.reason ?? accepted.refused.status}`);
          return;
        }
      }
      entry.acceptedBy.push(repId);
      entry.acceptedAtMs = performance.now();
      await sleep(this.exponential(this.options.meanHandleMs));
      const ended = await this.retried("end", () => agent.end(offer.sessionId, "resolved"));
      if (ended.refused && ended.retries === 0) {
        this.violations.push(`end of ${offer.sessionId} by ${repId} refused: ${ended.refused.message}`);
        return;
      }
      entry.ends++;
      entry.endedAtMs = performance.now();
    } catch {
      // Counted in repErrors by retried().
    }
  }

  private sessionEvent(repId: string, sessionId: string, event: SessionEvent): void {
    const key = `${repId}:${sessionId}`;
    const last = this.eventSequences.get(key);
    if (last !== undefined && event.sequence <= last) return; // a resync may replay; never a gap
    if (last !== undefined && event.sequence !== last + 1)
      this.violations.push(`rep ${repId}, session ${sessionId}: event ${event.sequence} after ${last}`);
    this.eventSequences.set(key, event.sequence);
  }

  /** One customer's start through intake's balancer, retrying a lost answer as the widget would. */
  private async startCustomer(): Promise<void> {
    const start: CustomerStart = { sentAtMs: performance.now(), attempts: 0, retryCauses: [] };
    this.starts.push(start);
    const idempotencyKey = randomUUID();
    const body = JSON.stringify({
      method: "issue",
      problemTypeId: PROBLEM_TYPE,
      customer: { name: `Customer ${this.starts.length}`, company: "Acme", description: "The printer jams." },
      consent: { agreementAccepted: true, agreementVersion: AGREEMENT, recordingAllowed: false },
    });
    for (;;) {
      start.attempts++;
      const attemptSentAtMs = performance.now();
      let retry: boolean;
      try {
        const response = await fetch(`${this.stack.httpUrl("intake")}/v1/sites/${this.siteId}/sessions`, {
          method: "POST",
          headers: { "content-type": "application/json", "idempotency-key": idempotencyKey },
          body,
          signal: AbortSignal.timeout(START_TIMEOUT_MS),
        });
        const answer = (await response.json()) as {
          sessionId?: string;
          detail?: string;
          reason?: string;
          noRepAvailable?: boolean;
        };
        if (response.status === 201 && answer.sessionId) {
          start.sessionId = answer.sessionId;
          start.noRepAvailable = answer.noRepAvailable === true;
          start.acknowledgedAtMs = performance.now();
          return;
        }
        // "Deadline exceeded after 4.936s, remote_addr=…": the part before the figures names the cause.
        start.error = `${response.status} ${answer.reason ?? ""} ${(answer.detail ?? "").split(" after ")[0]!.slice(0, 80)}`;
        retry = response.status >= 502 && response.status <= 504;
      } catch (error) {
        start.error = describe(error);
        retry = true;
      }
      if (!retry || start.attempts > CUSTOMER_RETRIES) return;
      start.retryCauses.push({ sentAtMs: attemptSentAtMs, cause: start.error });
      await sleep(200 * start.attempts);
    }
  }

  /**
   * Customers arrive as a Poisson process at the configured rate until `durationMs` has passed or
   * `maxCustomers` have arrived; resolves when the last one has been sent (not served).
   */
  async arrive(durationMs: number, maxCustomers: number, signal?: AbortSignal): Promise<void> {
    const started = performance.now();
    let next = started;
    const meanGapMs = 1_000 / this.options.arrivalRatePerSecond;
    while (this.arrivals < maxCustomers && !signal?.aborted) {
      next += this.exponential(meanGapMs);
      if (next - started > durationMs) break;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      this.arrivals++;
      this.track(this.startCustomer());
    }
  }

  /** ms from `sinceMs` (performance.now()) to the first offer frame after it; undefined if none came yet. */
  firstOfferAfter(sinceMs: number): number | undefined {
    const frame = this.offerFrames.find((at) => at > sinceMs);
    return frame === undefined ? undefined : frame - sinceMs;
  }

  /** The acknowledged sessions (a 201 came). */
  acknowledged(): string[] {
    return this.starts.flatMap((start) => (start.sessionId ? [start.sessionId] : []));
  }

  /** Acknowledged sessions whose 201 said no rep is available (ended at once, never served). */
  toldNoRepAvailable(): string[] {
    return this.starts.flatMap((start) => (start.sessionId && start.noRepAvailable ? [start.sessionId] : []));
  }

  /**
   * Waits until every start has been answered, every acknowledged session has ended on the reps' side
   * (but those told no rep is available) and PostgreSQL holds no live session of the site (a start
   * whose answer was lost is served too), or `timeoutMs`; returns the acknowledged sessions still open.
   */
  async drain(timeoutMs: number): Promise<string[]> {
    const deadline = performance.now() + timeoutMs;
    const open = () =>
      this.starts.flatMap((start) =>
        start.sessionId && !start.noRepAvailable && (this.sessions.get(start.sessionId)?.ends ?? 0) === 0
          ? [start.sessionId]
          : [],
      );
    while (performance.now() < deadline) {
      const answered = this.starts.every((s) => s.sessionId || s.error) && this.inFlight.size === 0;
      if (answered && open().length === 0) {
        const live = await countLiveSessions(this.stack.infrastructure.DATABASE_URL, this.siteId).catch(() => -1);
        if (live === 0) break;
      }
      await sleep(250);
    }
    return open();
  }

  /** Customers' starts that failed after their retries. */
  customerErrors(): Map<string, number> {
    const errors = new Map<string, number>();
    for (const start of this.starts) if (!start.sessionId && start.error) this.count(errors, start.error);
    return errors;
  }

  /** Why customers' starts were retried, counted by cause; only attempts sent in [fromMs, toMs) (performance.now()). */
  customerRetryCauses(fromMs = Number.NEGATIVE_INFINITY, toMs = Number.POSITIVE_INFINITY): Map<string, number> {
    const causes = new Map<string, number>();
    for (const start of this.starts)
      for (const { sentAtMs, cause } of start.retryCauses)
        if (sentAtMs >= fromMs && sentAtMs < toMs) this.count(causes, cause);
    return causes;
  }

  /** Starts that needed more than one attempt. */
  customerRetries(): number {
    return this.starts.reduce((sum, start) => sum + Math.max(0, start.attempts - 1), 0);
  }

  async close(): Promise<void> {
    await Promise.race([Promise.allSettled([...this.inFlight]), sleep(5_000)]);
    for (const agent of this.agents) agent.close();
  }
}
