import { SessionBrokerServiceService, type SessionBrokerServiceServer } from "@handoff/proto/session_broker_service";
import { SESSION_BROKER_CALLERS, type GrpcServiceBinding } from "@handoff/runtime";
import type { BrokerDeps } from "./broker-deps";
import { conversationHandlers } from "./conversation-handlers";
import { credentialHandlers } from "./credential-handlers";
import { customerAwayHandlers } from "./customer-away-handlers";
import { feedHandlers } from "./feed-handlers";
import { fileSendHandlers } from "./file-send-handlers";
import { lifecycleHandlers } from "./lifecycle-handlers";
import { participantHandlers } from "./participant-handlers";

/** The SessionBrokerService gRPC adapter, one handler group per part of the session. */
export function sessionBrokerService(deps: BrokerDeps): GrpcServiceBinding {
  const implementation: SessionBrokerServiceServer = {
    ...lifecycleHandlers(deps),
    ...customerAwayHandlers(deps),
    ...participantHandlers(deps),
    ...conversationHandlers(deps),
    ...fileSendHandlers(deps),
    ...credentialHandlers(deps),
    ...feedHandlers(deps),
  };
  return {
    name: "handoff.v1.SessionBrokerService",
    definition: SessionBrokerServiceService,
    implementation,
    callers: SESSION_BROKER_CALLERS,
  };
}
