import { HttpProblem, type Logger } from "@handoff/runtime";
import type { Response } from "express";
import type { CustomerBroker, CustomerCredential } from "./customer-broker";
import { CustomerStream } from "./customer-stream";
import { sessionStatusJson } from "./session-json";
import type { SitePortals } from "./site-portals";

export interface CustomerStreamOptions {
  /** How often a waiting customer's position is read again. @default 2000 */
  pollMs?: number;
  /** @default 15000 */
  keepAliveMs?: number;
  /** Streams one replica holds at once. @default 20000 */
  maxStreams?: number;
}

/**
 * The live streams this replica holds, one per session: a second stream of the same session (a
 * reload, another tab) closes the first. A reconnect with Last-Event-ID resumes after that event.
 */
export class CustomerStreams {
  private readonly open = new Map<string, CustomerStream>();
  private readonly maxStreams: number;
  private readonly deps: ConstructorParameters<typeof CustomerStream>[0];

  constructor(broker: CustomerBroker, sites: SitePortals, logger: Logger, options: CustomerStreamOptions = {}) {
    this.deps = { broker, sites, logger, pollMs: options.pollMs ?? 2_000, keepAliveMs: options.keepAliveMs ?? 15_000 };
    this.maxStreams = options.maxStreams ?? 20_000;
  }

  /** Starts the stream; what fails before it starts (a wrong token...) is the caller's to answer. */
  async serve(res: Response, c: CustomerCredential, lastEventId: number | undefined): Promise<void> {
    const key = `${c.siteId}/${c.sessionId}`;
    if (this.open.size >= this.maxStreams && !this.open.has(key))
      throw new HttpProblem(429, "Too many requests", "this server holds as many streams as it can; retry", undefined, {
        reason: "LIMIT_REACHED",
      });
    const [first, portal] = await Promise.all([this.deps.broker.getSession(c), this.deps.sites.get(c.siteId)]);
    this.open.get(key)?.finish();
    const status = sessionStatusJson(first.session!, first.position);
    const stream: CustomerStream = new CustomerStream(this.deps, res, c, status, portal, lastEventId, () => {
      if (this.open.get(key) === stream) this.open.delete(key);
    });
    this.open.set(key, stream);
  }

  /** At shutdown: every customer reconnects (to another replica) with his last id. */
  closeAll(): void {
    for (const stream of [...this.open.values()]) stream.finish();
  }
}
