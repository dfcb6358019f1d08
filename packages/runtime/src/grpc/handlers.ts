import { status, type sendUnaryData, type ServerUnaryCall, type ServerWritableStream } from "@grpc/grpc-js";
import type { Logger } from "pino";
import { attachStatusDetails } from "./error-info";
import { GrpcStatusError, isGrpcStatusError } from "./errors";
import { decodeFailure } from "./request-decoding";

/**
 * Maps a thrown error to what the client sees; unknown errors become INTERNAL without their text. A
 * refusal given a reason (`withErrorInfo`) carries it as a google.rpc.Status in its trailers.
 */
function toServiceError(error: unknown, method: string, logger: Logger): GrpcStatusError {
  if (isGrpcStatusError(error)) {
    attachStatusDetails(error);
    return error;
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
    handler(call.request, call).then(
      () => call.end(),
      // grpc-js turns an "error" event into the call's status (its own listener ends the call with
      // it). `destroy(error)` must not be used: it destroys the stream first, so that end never sends
      // the status and the client waits forever.
      (error: unknown) => void call.emit("error", toServiceError(error, method, logger)),
    );
  };
}
