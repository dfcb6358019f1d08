import { status, type ServerWritableStream } from "@grpc/grpc-js";
import {
  callerIdentity,
  GrpcStatusError,
  InvalidArgumentError,
  requireId,
  serverStream,
  unary,
  withErrorInfo,
} from "@handoff/runtime";
import type { SessionEvent } from "@handoff/proto/events";
import type {
  SessionBrokerServiceServer,
  WatchSessionRequest,
  WatchSessionResponse,
} from "@handoff/proto/session_broker_service";
import type { FeedSink } from "../commands/session-feed";
import { HIDDEN_FROM_CUSTOMER } from "../domain/customer-visibility";
import type { FeedAudience } from "../domain/feed-audience";
import type { BrokerDeps } from "./broker-deps";
import { translated } from "./domain-errors";
import { requireRequester } from "./requests";

type Handlers = Pick<SessionBrokerServiceServer, "watchSession" | "listSessionEvents" | "getSessionReport">;

const LIST_LIMIT = { default: 100, max: 500 } as const;

function requireSequence(value: number, field: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(field, "must be 0 or more");
  return value;
}

/** Writes to the stream, waiting for it to drain when its buffer is full (or for `signal`). */
function streamSink(call: ServerWritableStream<WatchSessionRequest, WatchSessionResponse>): FeedSink {
  return {
    write: (event: SessionEvent, signal: AbortSignal) =>
      call.write({ event })
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            const done = () => {
              call.off("drain", done);
              signal.removeEventListener("abort", done);
              resolve();
            };
            call.once("drain", done);
            signal.addEventListener("abort", done, { once: true });
          }),
  };
}

/**
 * The session's events: live feed, pages from a sequence, and the full report. The customer's feed
 * and pages leave out what is hidden from him (notes above all). A feed ends when the caller cancels
 * it, when a rep's feed delivered his own leaving, or when the server shuts down (status OK then:
 * resume on any replica from the last sequence received).
 */
export function feedHandlers({ logger, lifecycle, store, feed, reports, watchStreams }: BrokerDeps): Handlers {
  return {
    watchSession: serverStream("WatchSession", logger, async (req, call) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const afterSequence = requireSequence(req.afterSequence, "after_sequence");
      const row = await translated(() => lifecycle.authorize(siteId, sessionId, requester, "customer_or_participant"));
      const caller = callerIdentity(call.getAuthContext()) ?? "";
      const release = watchStreams.tryOpen(caller);
      if (!release) {
        const refusal = new GrpcStatusError(
          status.RESOURCE_EXHAUSTED,
          `${caller} already holds ${watchStreams.limit} open session feeds on this replica (MAX_STREAMS_PER_CALLER)`,
        );
        throw withErrorInfo(refusal, "TOO_MANY_STREAMS", "handoff.session-broker", {
          caller,
          limit: String(watchStreams.limit),
        });
      }
      // The feed returns once the call is cancelled or closed; the count is released then.
      try {
        const cancelled = new AbortController();
        call.on("cancelled", () => cancelled.abort());
        if (call.cancelled) return;
        const audience: FeedAudience =
          requester.kind === "rep"
            ? { kind: "rep", repId: requester.id, checkedAtSequence: row.lastSequence }
            : { kind: requester.kind === "customer" ? "customer" : "staff" };
        await translated(() =>
          feed.watch(siteId, sessionId, afterSequence, audience, streamSink(call), cancelled.signal),
        );
      } finally {
        release();
      }
    }),

    listSessionEvents: unary("ListSessionEvents", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      const requester = requireRequester(req.requester);
      const afterSequence = requireSequence(req.afterSequence, "after_sequence");
      if (!Number.isInteger(req.limit) || req.limit < 0 || req.limit > LIST_LIMIT.max)
        throw new InvalidArgumentError("limit", `must be from 1 to ${LIST_LIMIT.max} (0 for ${LIST_LIMIT.default})`);
      const limit = req.limit || LIST_LIMIT.default;
      await translated(() => lifecycle.authorize(siteId, sessionId, requester, "customer_or_participant"));
      const hidden = requester.kind === "customer" ? HIDDEN_FROM_CUSTOMER : [];
      return { events: await store.events(siteId, sessionId, afterSequence, limit, hidden) };
    }),

    getSessionReport: unary("GetSessionReport", logger, async (req) => {
      const siteId = requireId(req.siteId, "site_id");
      const sessionId = requireId(req.sessionId, "session_id");
      return { report: await translated(() => reports.report(siteId, sessionId)) };
    }),
  };
}
