import { AgentApiError, type AgentClient, type Offer, type SessionView } from "@handoff/agent-sdk";
import { attempt, type Announcer } from "./announcer.js";
import { h } from "./dom.js";
import { secondsLeft } from "./format.js";
import { clientModeOf, customerOf, readSession } from "./session-details.js";

interface ShownOffer {
  offer: Offer;
  item: HTMLLIElement;
  timer: HTMLElement;
  progress: HTMLProgressElement;
  who: string;
}

/**
 * The offers waiting for the rep, each with a countdown to its deadline and Accept / Reject, and the
 * "take the next session" button for pulling work without an offer.
 */
export class OffersPanel {
  readonly element: HTMLElement;
  private readonly list = h("ul", { class: "offers", "aria-label": "Offers" });
  private readonly empty = h("p", { class: "empty" }, "No offer right now.");
  private readonly offers = new Map<string, ShownOffer>();

  constructor(
    private readonly client: AgentClient,
    private readonly announcer: Announcer,
    /** A session the rep now works (accepted or taken). */
    private readonly accepted: (session: SessionView) => void,
  ) {
    const takeNext = h("button", { type: "button", class: "take-next" }, "Take the next session");
    takeNext.addEventListener("click", () => void this.takeNext(takeNext));
    this.element = h(
      "section",
      { class: "panel offers-panel", "aria-labelledby": "offers-title" },
      h("h2", { id: "offers-title" }, "Offers"),
      this.empty,
      this.list,
      takeNext,
    );
  }

  has(sessionId: string): boolean {
    return this.offers.has(sessionId);
  }

  /** Shows an offer (again: a newer epoch replaces the older one) with the customer's details. */
  async add(offer: Offer): Promise<void> {
    const shown = this.offers.get(offer.sessionId);
    if (shown && shown.offer.epoch >= offer.epoch) return;
    if (shown) this.remove(offer.sessionId);
    let who = "A customer";
    let about = "";
    let mode = "";
    try {
      const session = await readSession(this.client, offer.sessionId);
      who = customerOf(session);
      about = session.customer.description;
      mode = clientModeOf(session);
    } catch {
      // The offer is worth showing without its details: accepting it reads the session anyway.
    }
    if (secondsLeft(offer.expiresAtMs, Date.now()) === 0) return;
    const total = Math.max(1, secondsLeft(offer.expiresAtMs, Date.now()));
    const timer = h("span", { role: "timer", class: "countdown" });
    const progress = h("progress", { max: total, value: total, "aria-hidden": "true" });
    const accept = h("button", { type: "button", class: "accept" }, "Accept");
    const reject = h("button", { type: "button", class: "reject" }, "Reject");
    const queue = offer.fromQueue && "teamId" in offer.fromQueue ? `team ${offer.fromQueue.teamId}` : "your own queue";
    const item = h(
      "li",
      { class: "offer", "data-session-id": offer.sessionId, "aria-label": `Offer: ${who}` },
      h("p", { class: "who" }, who),
      about ? h("p", { class: "about" }, about) : undefined,
      mode ? h("p", { class: "mode" }, mode) : undefined,
      h("p", { class: "queue" }, `From ${queue}. `, timer),
      progress,
      h("div", { class: "actions" }, accept, reject),
    );
    accept.addEventListener("click", () => void this.decide(offer, true));
    reject.addEventListener("click", () => void this.decide(offer, false));
    this.offers.set(offer.sessionId, { offer, item, timer, progress, who });
    this.list.append(item);
    this.tick(Date.now());
    this.empty.hidden = true;
    this.announcer.say(`New offer: ${who}, ${secondsLeft(offer.expiresAtMs, Date.now())} seconds to accept.`);
  }

  /** Takes an offer off the list (accepted, rejected, lapsed or given to someone else). */
  remove(sessionId: string): void {
    this.offers.get(sessionId)?.item.remove();
    this.offers.delete(sessionId);
    this.empty.hidden = this.offers.size > 0;
  }

  /** Moves every countdown on; an offer past its deadline goes. */
  tick(nowMs: number): void {
    for (const [sessionId, { offer, timer, progress, who }] of this.offers) {
      const left = secondsLeft(offer.expiresAtMs, nowMs);
      if (left === 0) {
        this.remove(sessionId);
        this.announcer.say(`The offer of ${who} lapsed.`);
        continue;
      }
      timer.textContent = `${left} s to accept`;
      progress.value = left;
    }
  }

  private async decide(offer: Offer, accept: boolean): Promise<void> {
    const shown = this.offers.get(offer.sessionId);
    const buttons = [...(shown?.item.querySelectorAll("button") ?? [])];
    for (const button of buttons) button.disabled = true;
    await attempt(this.announcer, accept ? "Accepting failed" : "Rejecting failed", async () => {
      try {
        if (accept) {
          const session = await this.client.acceptOffer(offer.sessionId, offer.epoch);
          this.accepted(session);
          this.announcer.say(`You are working with ${shown?.who ?? "the customer"}.`);
        } else {
          await this.client.rejectOffer(offer.sessionId, offer.epoch);
          this.announcer.say(`Rejected the offer of ${shown?.who ?? "the customer"}.`);
        }
        this.remove(offer.sessionId);
      } catch (error) {
        // A refusal (the offer lapsed, went elsewhere, is stale) is final; a failure to answer is not.
        if (error instanceof AgentApiError && error.status < 500) this.remove(offer.sessionId);
        else for (const button of buttons) button.disabled = false;
        throw error;
      }
    });
  }

  private async takeNext(button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    await attempt(this.announcer, "Taking the next session failed", async () => {
      const session = await this.client.takeNextSession();
      if (!session) return this.announcer.say("No session waits in your queues.");
      this.accepted(session);
      this.announcer.say(`You are working with ${customerOf(session)}.`);
    });
    button.disabled = false;
  }
}
