import type { SessionStateName } from "./session-lifecycle";

/** What the acd holds for one session, as far as the reconciler needs it. */
export interface AcdSessionView {
  /** False when the acd holds nothing (never enqueued, or its Redis lost the session). */
  known: boolean;
  state: "waiting" | "offered" | "active" | "ended" | "abandoned" | "unknown";
  repId: string;
  epoch: number;
}

/**
 * How the reconciler repairs a live session on which PostgreSQL (the truth) and the acd disagree:
 * - `rebuild_waiting`: the acd lost a waiting or offered session → back into its queue at its place;
 * - `rebuild_held`: the acd lost an active session → held again, as its rep's load;
 * - `requeue_in_acd`: the acd holds an assignment PostgreSQL never committed → re-queued in the acd;
 * - `withdraw_offer`: PostgreSQL records an offer the acd no longer has (it says waiting) → the offer
 *   is withdrawn in PostgreSQL and the session waits there too, as the rebuild path records it;
 * - `mismatch`: a disagreement no acd call can repair (the acd closed or un-assigned a session that
 *   PostgreSQL holds as live or assigned); logged and counted, never guessed at.
 */
export type LiveDrift = "none" | "rebuild_waiting" | "rebuild_held" | "requeue_in_acd" | "withdraw_offer" | "mismatch";

/**
 * `created` sessions the acd does not know are not drift: they are enqueued by the reconciler's
 * first step (enqueue is idempotent in the acd). Active on both sides is agreement whichever rep the
 * acd counts the load on: control may pass between reps in PostgreSQL without the acd being told.
 * Offered in PostgreSQL and waiting in the acd is a disagreement: the acd makes and fences offers, so
 * an offer it does not hold can never be accepted, and PostgreSQL would show it (to the customer, in
 * reports) until the acd offered the session again. It is also every lapse's passing moment (the acd
 * expired the offer, the broker has not yet consumed OfferExpired): only settling tells them apart.
 * Waiting in PostgreSQL and offered in the acd is agreement: the OfferCreated on its way records it.
 */
export function liveDrift(state: SessionStateName, acd: AcdSessionView): LiveDrift {
  if (!acd.known) {
    if (state === "waiting" || state === "offered") return "rebuild_waiting";
    if (state === "active") return "rebuild_held";
    return "none";
  }
  switch (acd.state) {
    case "active":
      return state === "active" ? "none" : "requeue_in_acd";
    case "waiting":
      return state === "active" ? "mismatch" : state === "offered" ? "withdraw_offer" : "none";
    case "offered":
      return state === "active" ? "mismatch" : "none";
    case "ended":
    case "abandoned":
      return "mismatch";
    case "unknown":
      return "none";
  }
}

/** A session PostgreSQL closed: whatever the acd still holds of it is ended there (or abandoned, when unanswered). */
export function closedDrift(acd: AcdSessionView): "none" | "end_in_acd" | "abandon_in_acd" {
  if (!acd.known) return "none";
  if (acd.state === "active") return "end_in_acd";
  if (acd.state === "waiting" || acd.state === "offered") return "abandon_in_acd";
  return "none";
}

/**
 * A disagreement is repaired only once it has lasted: seen in two passes at least `settleMs` apart
 * with nothing changed on either side. Every healthy transition crosses the two stores in
 * milliseconds (the acd accepts, then PostgreSQL commits; the acd abandons, then the routing
 * consumer records it), so a pass that lands in between must not "repair" it.
 */
export class DriftSuspects {
  private readonly seen = new Map<string, { signature: string; firstMs: number; lastMs: number }>();

  constructor(private readonly settleMs: number) {}

  /** Records a sighting; true when the same disagreement was first seen at least settleMs ago. */
  confirm(key: string, signature: string, nowMs: number): boolean {
    const entry = this.seen.get(key);
    if (!entry || entry.signature !== signature) {
      this.seen.set(key, { signature, firstMs: nowMs, lastMs: nowMs });
      return false;
    }
    entry.lastMs = nowMs;
    return nowMs - entry.firstMs >= this.settleMs;
  }

  /** The disagreement was repaired, or is gone. */
  clear(key: string): void {
    this.seen.delete(key);
  }

  /** Forgets sightings not repeated since `beforeMs` (the session healed or left the scan). */
  forgetOlderThan(beforeMs: number): void {
    for (const [key, entry] of this.seen) if (entry.lastMs < beforeMs) this.seen.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }
}
