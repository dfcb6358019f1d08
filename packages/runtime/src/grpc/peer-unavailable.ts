import { status } from "@grpc/grpc-js";
import { DEPENDENCY_RETRY_AFTER_S, DEPENDENCY_UNAVAILABLE, type DependencyFailure } from "../dependency-failure";
import { errorInfo } from "./error-info";

/** Longest wait a peer's `retry_after_s` is passed on with; a longer or garbled one is not trusted. */
export const MAX_PEER_RETRY_AFTER_S = 60;

/** A dependency name as a peer's ErrorInfo may give it (`postgresql`, `redis`); anything else is not repeated. */
const DEPENDENCY_NAME = /^[a-z][a-z0-9-]{0,31}$/;

function retryAfterOf(text: string | undefined): number {
  const seconds = /^\d{1,4}$/.test(text ?? "") ? Number(text) : NaN;
  return seconds >= 1 && seconds <= MAX_PEER_RETRY_AFTER_S ? seconds : DEPENDENCY_RETRY_AFTER_S;
}

/**
 * What a failed call to the peer service `peer` tells its caller's own clients, when it is a "try
 * again shortly" (UNAVAILABLE or DEADLINE_EXCEEDED): the peer's dependency it named in its
 * DEPENDENCY_UNAVAILABLE refusal (`session-broker/postgresql`, with its `retry_after_s`), else the peer
 * itself (`session-broker`: not reached, no answer in time, or it could not serve for its own reason).
 * Undefined for any other failure. The one decoding of the refusal the runtime's handlers encode.
 */
export function peerUnavailable(error: unknown, peer: string): DependencyFailure | undefined {
  // Duck-typed: the caller's grpc-js may be another copy than the runtime's.
  const code = (error as { code?: unknown } | null | undefined)?.code;
  if (code !== status.UNAVAILABLE && code !== status.DEADLINE_EXCEEDED) return undefined;
  const info = errorInfo(error);
  const dependency = info?.reason === DEPENDENCY_UNAVAILABLE ? info.metadata.dependency : undefined;
  if (dependency === undefined || !DEPENDENCY_NAME.test(dependency))
    return { dependency: peer, retryAfterS: DEPENDENCY_RETRY_AFTER_S };
  return { dependency: `${peer}/${dependency}`, retryAfterS: retryAfterOf(info?.metadata.retry_after_s) };
}
