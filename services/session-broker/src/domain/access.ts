import { Actor } from "@handoff/proto/common";
import { NotAllowedError } from "./errors";

/** Who asks, as the transport established it (the customer's token is still to be checked). */
export interface RequesterValue {
  kind: "customer" | "rep" | "supervisor" | "system";
  /** The rep's or supervisor's id. */
  id: string;
  customerToken: string;
}

/** What a request needs of its requester. */
export type AccessNeed =
  /** The session's customer (his token), or staff. */
  | "customer"
  /** A rep in the session, or a supervisor or the system. */
  | "participant"
  /** The primary rep, or a supervisor or the system. */
  | "primary"
  /** The customer or any participant (chat, nudge, the live feed). */
  | "customer_or_participant"
  /** Any rep of the site, a supervisor or the system (reports, keys). */
  | "staff";

export interface AccessFacts {
  customerTokenMatches: boolean;
  /** Reps present in the session. */
  participants: readonly { repId: string; primary: boolean }[];
}

/**
 * Decides whether `requester` may do what `need` names on a session. Supervisors and the system act on
 * any session of their site (the agent API scopes a supervisor's token to his site before the call).
 * @throws NotAllowedError
 */
export function checkAccess(need: AccessNeed, requester: RequesterValue, facts: AccessFacts): void {
  if (requester.kind === "supervisor" || requester.kind === "system") return;
  if (requester.kind === "customer") {
    if ((need === "customer" || need === "customer_or_participant") && facts.customerTokenMatches) return;
    throw new NotAllowedError(
      facts.customerTokenMatches ? "customers may not do this" : "the customer token does not match this session",
    );
  }
  const me = facts.participants.find((p) => p.repId === requester.id);
  switch (need) {
    case "staff":
      return;
    case "participant":
    case "customer_or_participant":
      if (me) return;
      throw new NotAllowedError(`rep ${requester.id} is not in this session`);
    case "primary":
      if (me?.primary) return;
      throw new NotAllowedError(`rep ${requester.id} does not have control of this session`);
    case "customer":
      throw new NotAllowedError("only the customer may do this");
  }
}

const ACTOR_OF: Record<RequesterValue["kind"], Actor> = {
  customer: Actor.ACTOR_CUSTOMER,
  rep: Actor.ACTOR_REP,
  supervisor: Actor.ACTOR_SUPERVISOR,
  system: Actor.ACTOR_SYSTEM,
};

/** The actor events record for a requester. */
export const actorOf = (requester: RequesterValue): Actor => ACTOR_OF[requester.kind];
