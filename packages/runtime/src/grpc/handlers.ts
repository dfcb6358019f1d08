import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { DEPENDENCY_UNAVAILABLE, dependencyFailureOf, dependencyUnavailableText } from "../dependency-failure";
import { attachStatusDetails, withErrorInfo } from "./error-info";
import { GrpcStatusError, isGrpcStatusError } from "./errors";
import { trackOpenStream } from "./open-streams";
import { decodeFailure } from "./request-decoding";

/**
 * Maps a thrown error to what the client sees; unknown errors become INTERNAL without their text. A
 * refusal given a reason (`withErrorInfo`) carries it as a google.rpc.Status in its trailers. PostgreSQL
 * or Redis out of reach is UNAVAILABLE (the status gRPC clients retry), reason DEPENDENCY_UNAVAILABLE
 * naming the dependency.
 */
function toServiceError(error: unknown, method: string, logger: Logger): GrpcStatusError {
  if (isGrpcStatusError(error)) {
    attachStatusDetails(error);
    return error;
  }
  const failure = dependencyFailureOf(error);
  if (failure) {
    const { dependency, retryAfterS } = failure;
    logger.warn({ err: error, method, dependency }, "gRPC call answered UNAVAILABLE: a dependency is unavailable");
    // Callers decode it with peerUnavailable (./peer-unavailable.ts).
    const refusal = withErrorInfo(
      new GrpcStatusError(status.UNAVAILABLE, dependencyUnavailableText(failure), { cause: error }),
      DEPENDENCY_UNAVAILABLE,
      "handoff.runtime",
      { dependency, retry_after_s: String(retryAfterS) },
    );
    attachStatusDetails(refusal);
    return refusal;
  }
  logger.error({ err: error, method }, "unexpected error in gRPC handler");
  return new GrpcStatusError(status.INTERNAL, "internal error", { cause: error });
}

/** Adapts an async function to a grpc-js unary handler with uniform error mapping. */
export function unary<Req, Res>(
  method: string,
  logger: Logger,
  handler: (request: Req, call: ServerUnaryCall<Req, Res>) => Promise<Res>,
) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    const undecodable = decodeFailure(call.request);
    if (undecodable) return callback(toServiceError(undecodable, method, logger));
    handler(call.request, call).then(
      (response) => callback(null, response),
      (error: unknown) => callback(toServiceError(error, method, logger)),
    );
  };
}

/** Adapts an async function to a grpc-js server-streaming handler; it owns `call` until it resolves. */
export function serverStream<Req, Res>(
  method: string,
  logger: Logger,
  handler: (request: Req, call: ServerWritableStream<Req, Res>) => Promise<void>,
) {
  return (call: ServerWritableStream<Req, Res>): void => {
    const undecodable = decodeFailure(call.request);
    if (undecodable) return void call.emit("error", toServiceError(undecodable, method, logger));
    let ended = false;
    // grpc-js turns an "error" event into the call's status (its own listener ends the call with it).
    // `destroy(error)` must not be used: it destroys the stream first, so that end never sends the
    // status and the client waits forever.
    const endWith = (error?: GrpcStatusError) => {
      if (ended) return;
      ended = true;
      forget();
      if (error) call.emit("error", error);
      else call.end();
    };
    const forget = trackOpenStream(endWith);
    handler(call.request, call).then(
      () => endWith(),
      (error: unknown) => endWith(toServiceError(error, method, logger)),
    );
  };
}
