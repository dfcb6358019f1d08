import { Metadata, status, type ServiceError } from "@grpc/grpc-js";

/** An error that carries its gRPC status; transport adapters throw these, domain code never does. */
export class GrpcStatusError extends Error implements Partial<ServiceError> {
  readonly metadata = new Metadata();
  constructor(
    readonly code: status,
    readonly details: string,
    options?: { cause?: unknown },
  ) {
    super(details, options);
    this.name = "GrpcStatusError";
  }
}

/** INVALID_ARGUMENT naming the field, e.g. `site_id: must not be empty`. */
export class InvalidArgumentError extends GrpcStatusError {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(status.INVALID_ARGUMENT, `${field}: ${problem}`);
    this.metadata.set("field", field);
  }
}

export const notFound = (what: string) => new GrpcStatusError(status.NOT_FOUND, what);
export const failedPrecondition = (why: string) => new GrpcStatusError(status.FAILED_PRECONDITION, why);

export function isGrpcStatusError(error: unknown): error is GrpcStatusError {
  return error instanceof GrpcStatusError;
}
