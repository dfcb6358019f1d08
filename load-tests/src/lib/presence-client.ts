import { PresenceServiceClient } from "@handoff/proto/presence_service";
import { PRESENCE_CALLERS } from "@handoff/runtime";
import { promiseClient } from "@handoff/testing/dist/promise-client";

/**
 * The PresenceService calls the benchmark makes, promise-returning with a 10 s deadline (a call that takes longer
 * counts as failed), each made over mutual TLS as the service allowed to call it.
 */
export function connectPresence(address: string) {
  return promiseClient(PresenceServiceClient, address, PRESENCE_CALLERS);
}

export type PresenceClient = ReturnType<typeof connectPresence>;
