import type { SessionEvent } from "@handoff/proto/events";
import { HIDDEN_FROM_CUSTOMER } from "./customer-visibility";

/**
 * Who reads a session's live feed, which decides what it leaves out and when it ends: the customer
 * never sees what is hidden from him; supervisors and the system see everything until they stop; a
 * rep sees everything while he takes part, and his feed ends once it delivered his own leaving (a
 * transfer, a re-queue, the end), so he does not go on reading a session that is no longer his.
 */
export type FeedAudience =
  | { kind: "customer" }
  | { kind: "staff" }
  /** `checkedAtSequence`: the session's last sequence when his presence was checked. */
  | { kind: "rep"; repId: string; checkedAtSequence: number };

export const hiddenFrom = (audience: FeedAudience): readonly string[] =>
  audience.kind === "customer" ? HIDDEN_FROM_CUSTOMER : [];

/** Whether the feed ends after delivering `event`. A leave before the check was followed by a return. */
export function endsFeed(audience: FeedAudience, event: SessionEvent): boolean {
  return (
    audience.kind === "rep" &&
    event.sequence > audience.checkedAtSequence &&
    event.payload?.$case === "participantLeft" &&
    event.payload.participantLeft.repId === audience.repId
  );
}
