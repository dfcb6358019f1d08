import type { SessionPlacement } from "./session-lifecycle";
import type { Tx } from "../store/session-store";

/** A key or invitation that checked out: where its session goes, and how to consume it with the session. */
export interface RedeemedPlacement {
  placement: SessionPlacement;
  /** Marks the key or invitation used by `sessionId`, inside the transaction that creates the session. */
  consume(tx: Tx, sessionId: string): Promise<void>;
}

/** Turns a customer's session key or invitation token into a placement, within the redemption limits. */
export interface CredentialRedemption {
  redeemSessionKey(siteId: string, key: string, clientAddress: string): Promise<RedeemedPlacement>;
  redeemInvitation(siteId: string, token: string, clientAddress: string): Promise<RedeemedPlacement>;
}
