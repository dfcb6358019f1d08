import { AgentClient, type Offer, type SessionEvent } from "@handoff/agent-sdk";

/**
 * A rep at his desk, driven through the agent SDK as a CRM would: online in his teams, and what his
 * socket delivered (offers, his sessions' events) for the test to wait on.
 */
export class RepDesk {
  readonly offers: Offer[] = [];
  readonly events: { sessionId: string; event: SessionEvent }[] = [];

  private constructor(readonly client: AgentClient) {
    client.on("offer", ({ offer }) => this.offers.push(offer));
    client.on("session", ({ sessionId, event }) => this.events.push({ sessionId, event }));
  }

  /** Connects, logs in to `teamIds`, one session at a time, available. */
  static async online(brokerUrl: string, token: () => Promise<string>, teamIds: string[]): Promise<RepDesk> {
    const desk = new RepDesk(new AgentClient({ baseUrl: brokerUrl, token, reconnectMinMs: 100 }));
    await desk.client.connect();
    await desk.client.login(teamIds);
    await desk.client.setCapacity("single");
    await desk.client.setState("available");
    return desk;
  }

  /** Waits for an offer (of `sessionId` when given) and accepts it; returns the session id. */
  async acceptNext(sessionId?: string, timeoutMs = 20_000): Promise<string> {
    const offer = await until(
      () => this.offers.find((o) => sessionId === undefined || o.sessionId === sessionId),
      timeoutMs,
    );
    this.offers.splice(this.offers.indexOf(offer), 1);
    await this.client.acceptOffer(offer.sessionId, offer.epoch);
    return offer.sessionId;
  }

  /** Waits for an event of `sessionId` that matches. */
  event(sessionId: string, match: (event: SessionEvent) => boolean, timeoutMs = 15_000): Promise<SessionEvent> {
    return until(() => this.events.find((e) => e.sessionId === sessionId && match(e.event))?.event, timeoutMs);
  }

  close(): void {
    this.client.close();
  }
}

/** Polls `find` until it gives a value, or fails after `timeoutMs`. */
async function until<T>(find: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
