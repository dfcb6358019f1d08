import { requireDisplayName, requireId, unary } from "@handoff/runtime";
import type { SessionBrokerServiceServer } from "@handoff/proto/session_broker_service";
import { MAX_FILE_NAME } from "../domain/file-send-rules";
import type { BrokerDeps } from "./broker-deps";
import { translated } from "./domain-errors";
import { requireRequester } from "./requests";

type Handlers = Pick<SessionBrokerServiceServer, "requestFileSend" | "answerFileSend">;

/** The customer's requests to send a file, and the reps' answers. */
export function fileSendHandlers({ logger, fileSends }: BrokerDeps): Handlers {
  return {
    requestFileSend: unary("RequestFileSend", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const fileName = requireDisplayName(req.fileName, "file_name", MAX_FILE_NAME);
      const requestId = await translated(() =>
        fileSends.request(siteId, sessionId, requester, fileName, req.sizeBytes),
      );
      return { requestId };
    }),

    answerFileSend: unary("AnswerFileSend", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const requestId = requireId(req.requestId, "request_id");
      await translated(() => fileSends.answer(siteId, sessionId, requester, requestId, req.allowed));
      return {};
    }),
  };
}
