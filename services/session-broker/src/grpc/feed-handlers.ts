import { serverStream, unary } from "@handoff/runtime";
import type { SessionBrokerServiceServer } from "@handoff/proto/session_broker_service";
import type { BrokerDeps } from "./broker-deps";
import { unimplemented } from "./unimplemented";

type Handlers = Pick<SessionBrokerServiceServer, "watchSession" | "listSessionEvents" | "getSessionReport">;

/** The session's events: live feed, pages from a sequence, and the full report. */
export function feedHandlers({ logger }: BrokerDeps): Handlers {
  return {
    watchSession: serverStream("WatchSession", logger, unimplemented("WatchSession")),
    listSessionEvents: unary("ListSessionEvents", logger, unimplemented("ListSessionEvents")),
    getSessionReport: unary("GetSessionReport", logger, unimplemented("GetSessionReport")),
  };
}
