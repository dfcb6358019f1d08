import { unary } from "@handoff/runtime";
import type { SessionBrokerServiceServer } from "@handoff/proto/session_broker_service";
import type { BrokerDeps } from "./broker-deps";
import { unimplemented } from "./unimplemented";

type Handlers = Pick<
  SessionBrokerServiceServer,
  | "createSessionKey"
  | "createInvitation"
  | "revokeInvitation"
  | "createAccessLink"
  | "useAccessLink"
  | "revokeAccessLink"
>;

/** Session keys, invitation links and access links. */
export function credentialHandlers({ logger }: BrokerDeps): Handlers {
  return {
    createSessionKey: unary("CreateSessionKey", logger, unimplemented("CreateSessionKey")),
    createInvitation: unary("CreateInvitation", logger, unimplemented("CreateInvitation")),
    revokeInvitation: unary("RevokeInvitation", logger, unimplemented("RevokeInvitation")),
    createAccessLink: unary("CreateAccessLink", logger, unimplemented("CreateAccessLink")),
    useAccessLink: unary("UseAccessLink", logger, unimplemented("UseAccessLink")),
    revokeAccessLink: unary("RevokeAccessLink", logger, unimplemented("RevokeAccessLink")),
  };
}
