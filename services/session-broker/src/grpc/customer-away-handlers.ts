import { InvalidArgumentError, requireId, requireText, unary } from "@handoff/runtime";
import type { SessionBrokerServiceServer } from "@handoff/proto/session_broker_service";
import { CALLBACK_CHANNELS, type CallbackChannel } from "../commands/customer-away";
import type { BrokerDeps } from "./broker-deps";
import { translated } from "./domain-errors";
import { customerAwayToProto } from "./mappers";
import { requireRequester } from "./requests";

type Handlers = Pick<SessionBrokerServiceServer, "setCustomerAway" | "callCustomerBack" | "resumeSession">;

/** A resume token is 32 random bytes, base64url (43 characters); anything much longer is not one. */
const MAX_RESUME_TOKEN = 128;

function requireChannel(value: string): CallbackChannel {
  if (!(CALLBACK_CHANNELS as readonly string[]).includes(value))
    throw new InvalidArgumentError("channel", `must be one of ${CALLBACK_CHANNELS.join(", ")}`);
  return value as CallbackChannel;
}

/** Keep my place over gRPC: away and back, the callback, the resume link. */
export function customerAwayHandlers(deps: BrokerDeps): Handlers {
  const { logger, customerAway, views } = deps;
  return {
    setCustomerAway: unary("SetCustomerAway", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      if (requester.kind !== "customer") throw new InvalidArgumentError("requester.actor", "must be CUSTOMER");
      const row = await translated(() => customerAway.setAway(siteId, sessionId, requester, req.away));
      return { session: await views.view(row), customerAway: customerAwayToProto(row) };
    }),

    callCustomerBack: unary("CallCustomerBack", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const channel = requireChannel(req.channel);
      const called = await translated(() => customerAway.callBack(siteId, sessionId, req.returnWithinMs, channel));
      return { called: called.called, returnByMs: called.returnByMs, resumeToken: called.resumeToken ?? "" };
    }),

    resumeSession: unary("ResumeSession", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      if (!req.resumeToken) throw new InvalidArgumentError("resume_token", "is required");
      const resumeToken = requireText(req.resumeToken, "resume_token", MAX_RESUME_TOKEN);
      const { row, customerToken } = await translated(() => customerAway.resume(siteId, sessionId, resumeToken));
      return { session: await views.view(row), customerToken };
    }),
  };
}
