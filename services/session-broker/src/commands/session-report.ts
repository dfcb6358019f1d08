import type { SessionEvent } from "@handoff/proto/events";
import type { SessionReport } from "@handoff/proto/session_broker_service";
import type { OfferStore } from "../store/offer-store";
import type { SessionStore } from "../store/session-store";
import type { SessionViews } from "./session-views";

const PAGE = 1_000;

/**
 * Everything about one session for supervisors: the session (state, consent, reps present, current
 * grants), its whole timeline (joins and leaves, hand-overs, the permission history, chat, notes,
 * surveys...) up to the session's last sequence when it was read, and the acd's decision record of
 * every offer made for it.
 */
export class SessionReports {
  constructor(
    private readonly store: SessionStore,
    private readonly offers: OfferStore,
    private readonly views: SessionViews,
  ) {}

  async report(siteId: string, sessionId: string): Promise<SessionReport> {
    const row = await this.store.get(siteId, sessionId);
    const [session, timeline, offers] = await Promise.all([
      this.views.view(row),
      this.timeline(siteId, sessionId, row.lastSequence),
      this.offers.ofSession(siteId, sessionId),
    ]);
    return {
      session,
      timeline,
      offers: offers.map((o) => ({
        repId: o.repId,
        epoch: o.epoch,
        offeredAtMs: o.offeredAtMs,
        decision: o.decision,
        outcome: o.outcome,
      })),
    };
  }

  private async timeline(siteId: string, sessionId: string, untilSequence: number): Promise<SessionEvent[]> {
    const events: SessionEvent[] = [];
    while (events.length < untilSequence) {
      const page = await this.store.events(siteId, sessionId, events.at(-1)?.sequence ?? 0, PAGE);
      events.push(...page.filter((e) => e.sequence <= untilSequence));
      if (page.length < PAGE) break;
    }
    return events;
  }
}
