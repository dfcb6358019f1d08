import { requireId, requireQueueTarget, unary } from "@handoff/runtime";
import type { SessionBrokerServiceServer } from "@handoff/proto/session_broker_service";
import type { BrokerDeps } from "./broker-deps";
import { translated } from "./domain-errors";
import { requireRequester } from "./requests";

type Handlers = Pick<
  SessionBrokerServiceServer,
  "transferActiveSession" | "inviteRep" | "answerRepInvitation" | "handOverControl" | "leaveSession"
>;

/** Transfer, invite, hand over control and leave. */
export function participantHandlers({ logger, participantCommands, views }: BrokerDeps): Handlers {
  return {
    transferActiveSession: unary("TransferActiveSession", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const target = requireQueueTarget(req.target, "target");
      const position = await translated(() => participantCommands.transfer(siteId, sessionId, requester, target));
      return { position };
    }),

    inviteRep: unary("InviteRep", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const invitee = requireQueueTarget(req.invitee, "invitee");
      const invitationId = await translated(() => participantCommands.invite(siteId, sessionId, requester, invitee));
      return { invitationId };
    }),

    answerRepInvitation: unary("AnswerRepInvitation", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const invitationId = requireId(req.invitationId, "invitation_id");
      const requester = requireRequester(req.requester);
      const row = await translated(() =>
        participantCommands.answerInvitation(siteId, sessionId, invitationId, requester, req.accepted),
      );
      return { session: await views.view(row) };
    }),

    handOverControl: unary("HandOverControl", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const toRepId = requireId(req.toRepId, "to_rep_id");
      const row = await translated(() => participantCommands.handOver(siteId, sessionId, requester, toRepId));
      return { session: await views.view(row) };
    }),

    leaveSession: unary("LeaveSession", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const row = await translated(() => participantCommands.leave(siteId, sessionId, requester));
      return { session: await views.view(row) };
    }),
  };
}
