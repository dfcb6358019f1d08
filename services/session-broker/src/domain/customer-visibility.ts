import type { SessionEvent } from "@handoff/proto/events";

type SessionEventType = NonNullable<SessionEvent["payload"]>["$case"];

/**
 * Events the customer never sees in his feed or history: rep notes and rep surveys (internal by
 * definition), and the routing and staffing behind the scenes (offers with their decision records,
 * reps who let an offer lapse, invitations between reps). He still sees every state change, as each
 * event carries the session's state, and who joins and leaves.
 */
export const HIDDEN_FROM_CUSTOMER: readonly SessionEventType[] = [
  "noteAdded",
  "repSurveySubmitted",
  "sessionOffered",
  "sessionOfferLapsed",
  "repInvited",
  "repInvitationAnswered",
];

export const visibleToCustomer = (event: SessionEvent): boolean =>
  !!event.payload && !HIDDEN_FROM_CUSTOMER.includes(event.payload.$case);
