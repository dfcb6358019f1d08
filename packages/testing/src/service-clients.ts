import { AcdServiceClient } from "@handoff/proto/acd_service";
import { PresenceServiceClient } from "@handoff/proto/presence_service";
import { ACD_CALLERS, PRESENCE_CALLERS } from "@handoff/runtime";
import { promiseClient, type PromiseClient, type TestCaller } from "./promise-client";

export type Acd = PromiseClient<AcdServiceClient>;
export type Presence = PromiseClient<PresenceServiceClient>;

/** An acd client calling each method as the service allowed to (or as `caller` for every call). */
export const connectAcd = (address: string, caller: TestCaller = ACD_CALLERS): Acd =>
  promiseClient(AcdServiceClient, address, caller);
/** A presence client calling each method as the service allowed to (or as `caller` for every call). */
export const connectPresence = (address: string, caller: TestCaller = PRESENCE_CALLERS): Presence =>
  promiseClient(PresenceServiceClient, address, caller);
