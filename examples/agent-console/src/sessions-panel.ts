import type { AgentClient, SessionEvent, SessionView } from "@handoff/agent-sdk";
import { attempt, type Announcer } from "./announcer.js";
import { h } from "./dom.js";
import { sessionIsOverFor } from "./format.js";
import { SessionCard } from "./session-card.js";
import { readSession } from "./session-details.js";

/** Why a session left the rep's list, as its last event says. */
function whyOver(event: SessionEvent): string {
  const left = event.participantLeft?.reason;
  if (event.sessionClosed || left === "ended") return "ended";
  return left === "transferred" ? "was transferred" : "is no longer yours";
}

/** The sessions the rep works now, one card each; a card goes when the session is over for him. */
export class SessionsPanel {
  readonly element: HTMLElement;
  private readonly cards = new Map<string, SessionCard>();
  private readonly list = h("div", { class: "session-list" });
  private readonly empty = h("p", { class: "empty" }, "No session yet: accept an offer or take the next session.");

  constructor(
    private readonly client: AgentClient,
    private readonly announcer: Announcer,
    private readonly repId: string,
  ) {
    this.element = h(
      "section",
      { class: "panel sessions", "aria-labelledby": "sessions-title" },
      h("h2", { id: "sessions-title" }, "My sessions"),
      this.empty,
      this.list,
    );
  }

  has(sessionId: string): boolean {
    return this.cards.has(sessionId);
  }

  /** Shows a session the rep works (once, however many times it is announced). */
  add(session: SessionView): void {
    if (this.cards.has(session.sessionId) || session.state !== "active") return;
    const card = new SessionCard(session, this.client, this.announcer, (id, why) => this.remove(id, why));
    this.cards.set(session.sessionId, card);
    this.list.append(card.element);
    this.empty.hidden = true;
  }

  /** Routes a session event to its card; an assignment to the rep of a session not shown yet adds it. */
  async apply(sessionId: string, event: SessionEvent): Promise<void> {
    const card = this.cards.get(sessionId);
    if (!card) {
      if (event.sessionAssigned?.repId === this.repId || event.participantJoined?.repId === this.repId)
        await attempt(this.announcer, "Reading a session failed", async () =>
          this.add(await readSession(this.client, sessionId)),
        );
      return;
    }
    card.apply(event);
    if (sessionIsOverFor(event, this.repId)) this.remove(sessionId, whyOver(event));
  }

  /** Keeps only the sessions in `current` (after a resync), adding those not shown. */
  replaceWith(current: SessionView[]): void {
    const ids = new Set(current.map((s) => s.sessionId));
    for (const id of this.cards.keys()) if (!ids.has(id)) this.remove(id, "is no longer yours");
    for (const session of current) this.add(session);
  }

  private remove(sessionId: string, why: string): void {
    const card = this.cards.get(sessionId);
    if (!card) return;
    card.close();
    card.element.remove();
    this.cards.delete(sessionId);
    this.empty.hidden = this.cards.size > 0;
    this.announcer.say(`The session with ${card.who} ${why}.`);
  }
}
