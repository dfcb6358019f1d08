import { unary } from "@handoff/runtime";
import type { SessionBrokerServiceServer } from "@handoff/proto/session_broker_service";
import type { BrokerDeps } from "./broker-deps";
import { unimplemented } from "./unimplemented";

type Handlers = Pick<
  SessionBrokerServiceServer,
  "transferActiveSession" | "inviteRep" | "answerRepInvitation" | "handOverControl" | "leaveSession"
>;

/** Transfer, invite, hand over control and leave. */
export function participantHandlers({ logger }: BrokerDeps): Handlers {
  return {
    transferActiveSession: unary("TransferActiveSession", logger, unimplemented("TransferActiveSession")),
    inviteRep: unary("InviteRep", logger, unimplemented("InviteRep")),
    answerRepInvitation: unary("AnswerRepInvitation", logger, unimplemented("AnswerRepInvitation")),
    handOverControl: unary("HandOverControl", logger, unimplemented("HandOverControl")),
    leaveSession: unary("LeaveSession", logger, unimplemented("LeaveSession")),
  };
}
