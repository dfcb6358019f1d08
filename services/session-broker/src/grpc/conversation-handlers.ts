import { unary } from "@handoff/runtime";
import type { SessionBrokerServiceServer } from "@handoff/proto/session_broker_service";
import type { BrokerDeps } from "./broker-deps";
import { unimplemented } from "./unimplemented";

type Handlers = Pick<
  SessionBrokerServiceServer,
  | "requestPermission"
  | "answerPermission"
  | "revokePermission"
  | "sendChatMessage"
  | "nudge"
  | "addNote"
  | "submitCustomerSurvey"
  | "submitRepSurvey"
>;

/** Permissions, chat, nudges, notes and surveys. */
export function conversationHandlers({ logger }: BrokerDeps): Handlers {
  return {
    requestPermission: unary("RequestPermission", logger, unimplemented("RequestPermission")),
    answerPermission: unary("AnswerPermission", logger, unimplemented("AnswerPermission")),
    revokePermission: unary("RevokePermission", logger, unimplemented("RevokePermission")),
    sendChatMessage: unary("SendChatMessage", logger, unimplemented("SendChatMessage")),
    nudge: unary("Nudge", logger, unimplemented("Nudge")),
    addNote: unary("AddNote", logger, unimplemented("AddNote")),
    submitCustomerSurvey: unary("SubmitCustomerSurvey", logger, unimplemented("SubmitCustomerSurvey")),
    submitRepSurvey: unary("SubmitRepSurvey", logger, unimplemented("SubmitRepSurvey")),
  };
}
