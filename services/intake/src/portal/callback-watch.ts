import { status } from "@grpc/grpc-js";
import { SessionState } from "@handoff/proto/common";
import type { Logger } from "@handoff/runtime";
import type { AwayRegistry, AwaySession } from "./away-registry";
import type { CustomerBroker } from "./customer-broker";
import type { QueuePositions } from "./queue-positions";
import type { SitePortals } from "./site-portals";
import type { WebhookNotifier } from "./webhook-notifier";

/** Away sessions looked at per pass, and position reads in flight at once. */
const MAX_PER_PASS = 2_000;
const IN_FLIGHT = 16;

export interface CallbackWatchOptions {
  /** How often the away customers' positions are read. @default 2_000 */
  intervalMs?: number;
}

/** The link that brings him back: the site's page with the widget, which resumes the session. */
export function resumeLink(pageUrl: string, sessionId: string, resumeToken: string): string {
  const url = new URL(pageUrl);
  url.searchParams.set("handoff-resume", `${sessionId}.${resumeToken}`);
  return url.toString();
}

/**
 * Calls back the customers who keep their place (docs/keep-my-place.md): every pass (one replica at a
 * time) reads each away customer's position from the acd; once it reaches the site's `callAtPosition`
 * (or a rep is already being offered the session) the broker starts his return deadline
 * (CallCustomerBack, once) and he is called: a page still open gets the `callback` frame from his
 * session's feed, else the site's webhook gets the resume link with its one-time token. A customer no
 * longer waiting, or called back, leaves the registry.
 */
export class CallbackWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly intervalMs: number;

  constructor(
    private readonly registry: AwayRegistry,
    private readonly positions: Pick<QueuePositions, "peek">,
    private readonly sites: Pick<SitePortals, "get">,
    private readonly broker: Pick<CustomerBroker, "callBack" | "sessionForCallback">,
    private readonly notifier: Pick<WebhookNotifier, "post">,
    private readonly logger: Logger,
    options: CallbackWatchOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 2_000;
  }

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.passIfClaimed()
        .catch((error: unknown) => this.logger.warn({ err: error }, "keep my place: callback pass failed"))
        .finally(() => (this.running = undefined));
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  private async passIfClaimed(): Promise<void> {
    if (await this.registry.claimPass(this.intervalMs)) await this.passOnce();
  }

  /** One pass over the away customers; returns how many were called back. */
  async passOnce(): Promise<number> {
    const pending = await this.registry.list(MAX_PER_PASS);
    let called = 0;
    const work = async () => {
      for (let next = pending.shift(); next; next = pending.shift()) {
        try {
          if (await this.check(next)) called++;
        } catch (error) {
          this.logger.warn({ err: error, ...next }, "keep my place: callback check failed; retried next pass");
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, work));
    return called;
  }

  private async check(away: AwaySession): Promise<boolean> {
    const { siteId, sessionId } = away;
    const keep = (await this.sites.get(siteId))?.config.keepPlace;
    if (!keep) return false;
    let routing;
    try {
      routing = await this.positions.peek(siteId, sessionId);
    } catch (error) {
      // The acd holds nothing for it (ended long ago): done; an acd that does not answer: next pass.
      if ((error as { code?: number }).code === status.NOT_FOUND) await this.registry.remove(away);
      return false;
    }
    const state = routing.state;
    const near =
      state === SessionState.SESSION_STATE_OFFERED ||
      (state === SessionState.SESSION_STATE_WAITING && (routing.position?.position ?? Infinity) <= keep.callAtPosition);
    if (state !== SessionState.SESSION_STATE_WAITING && state !== SessionState.SESSION_STATE_OFFERED) {
      await this.registry.remove(away);
      return false;
    }
    if (!near) return false;
    const pageOpen = await this.registry.isStreamOpen(away);
    const channel = pageOpen ? "stream" : keep.webhook ? "webhook" : "none";
    const answer = await this.broker.callBack(siteId, sessionId, keep.returnWithinSeconds * 1_000, channel);
    await this.registry.remove(away);
    if (!answer.called) return false;
    this.logger.info({ siteId, sessionId, channel }, "keep my place: customer called back");
    if (channel === "webhook" && keep.webhook && keep.resumePageUrl) {
      const { session } = await this.broker.sessionForCallback(siteId, sessionId);
      const customer = session?.customer;
      const delivered = await this.notifier.post(keep.webhook, {
        type: "customer.called_back",
        siteId,
        sessionId,
        resumeUrl: resumeLink(keep.resumePageUrl, sessionId, answer.resumeToken),
        returnBy: new Date(answer.returnByMs).toISOString(),
        position: routing.position?.position ?? 0,
        customer: { name: customer?.name ?? "", email: customer?.email ?? "", locale: customer?.locale ?? "" },
      });
      if (!delivered) this.logger.warn({ siteId, sessionId }, "keep my place: webhook not delivered");
    }
    return true;
  }
}
