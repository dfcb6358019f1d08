import { AcdServiceClient } from "@handoff/proto/acd_service";
import { PresenceServiceClient } from "@handoff/proto/presence_service";
import { promiseClient, type PromiseClient } from "./promise-client";

export type Acd = PromiseClient<AcdServiceClient>;
export type Presence = PromiseClient<PresenceServiceClient>;

export const connectAcd = (address: string): Acd => promiseClient(AcdServiceClient, address);
export const connectPresence = (address: string): Presence => promiseClient(PresenceServiceClient, address);
