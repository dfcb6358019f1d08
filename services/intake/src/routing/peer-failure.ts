import { DEPENDENCY_RETRY_AFTER_S, peerUnavailable, type DependencyFailure } from "@handoff/runtime";

/**
 * What failed when intake's call to `peer` (the acd, presence) did not answer: the peer's own
 * dependency when its UNAVAILABLE named one (the error's cause), else the peer itself.
 */
export const peerFailure = (error: Error, peer: string): DependencyFailure =>
  peerUnavailable(error.cause, peer) ?? { dependency: peer, retryAfterS: DEPENDENCY_RETRY_AFTER_S };
