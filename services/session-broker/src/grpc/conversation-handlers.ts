import { InvalidArgumentError, requireId, requireText, unary } from "@handoff/runtime";
import type { Permission } from "@handoff/proto/common";
import type { PermissionGrant, SessionBrokerServiceServer } from "@handoff/proto/session_broker_service";
import { REQUESTABLE_PERMISSIONS, type Grant } from "../domain/permissions";
import { SATISFACTION } from "../domain/survey-rules";
import type { BrokerDeps } from "./broker-deps";
import { translated } from "./domain-errors";
import { MAX_TEXT, requireRequester } from "./requests";

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

/** An application's name as the remote-support client reports it. */
const MAX_APPLICATION = 200;
const MAX_RESOLUTION_CODE = 100;

function requirePermission(value: Permission): Permission {
  if (!REQUESTABLE_PERMISSIONS.includes(value))
    throw new InvalidArgumentError("permission", "must be VIEW, CONTROL, FILE_TRANSFER or ELEVATION");
  return value;
}

/** Chat and note text: 1..4,000 characters, not only blanks. */
function requireMessage(value: string, field: string): string {
  requireText(value, field, MAX_TEXT, 1);
  if (!value.trim()) throw new InvalidArgumentError(field, "must not be blank");
  return value;
}

const grantsToProto = (grants: readonly Grant[]): PermissionGrant[] =>
  grants.map((g) => ({ permission: g.permission, application: g.application, grantedAtMs: g.grantedAtMs }));

/** Permissions, chat, nudges, notes and surveys. */
export function conversationHandlers({ logger, permissionCommands, conversation }: BrokerDeps): Handlers {
  return {
    requestPermission: unary("RequestPermission", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const permission = requirePermission(req.permission);
      const application = requireText(req.application, "application", MAX_APPLICATION);
      const requestId = await translated(() =>
        permissionCommands.request(siteId, sessionId, requester, permission, application),
      );
      return { requestId };
    }),

    answerPermission: unary("AnswerPermission", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const requestId = requireId(req.requestId, "request_id");
      const grants = await translated(() =>
        permissionCommands.answer(siteId, sessionId, requester, requestId, req.granted),
      );
      return { granted: grantsToProto(grants) };
    }),

    revokePermission: unary("RevokePermission", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const permission = requirePermission(req.permission);
      const application = requireText(req.application, "application", MAX_APPLICATION);
      const grants = await translated(() =>
        permissionCommands.revoke(siteId, sessionId, requester, permission, application),
      );
      return { granted: grantsToProto(grants) };
    }),

    sendChatMessage: unary("SendChatMessage", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const text = requireMessage(req.text, "text");
      const sequence = await translated(() => conversation.chat(siteId, sessionId, requester, text));
      return { sequence };
    }),

    nudge: unary("Nudge", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      await translated(() => conversation.nudge(siteId, sessionId, requester));
      return {};
    }),

    addNote: unary("AddNote", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const text = requireMessage(req.text, "text");
      const sequence = await translated(() => conversation.note(siteId, sessionId, requester, text));
      return { sequence };
    }),

    submitCustomerSurvey: unary("SubmitCustomerSurvey", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      if (
        !Number.isInteger(req.satisfaction) ||
        req.satisfaction < SATISFACTION.min ||
        req.satisfaction > SATISFACTION.max
      )
        throw new InvalidArgumentError("satisfaction", `must be from ${SATISFACTION.min} to ${SATISFACTION.max}`);
      const comment = requireText(req.comment, "comment", MAX_TEXT);
      await translated(() => conversation.customerSurvey(siteId, sessionId, requester, req.satisfaction, comment));
      return {};
    }),

    submitRepSurvey: unary("SubmitRepSurvey", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const resolutionCode = requireText(req.resolutionCode, "resolution_code", MAX_RESOLUTION_CODE, 1);
      const comment = requireText(req.comment, "comment", MAX_TEXT);
      await translated(() => conversation.repSurvey(siteId, sessionId, requester, resolutionCode, comment));
      return {};
    }),
  };
}
