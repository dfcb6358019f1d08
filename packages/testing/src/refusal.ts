import type { ServiceError } from "@grpc/grpc-js";

/** The error a call was refused with; fails when the call succeeds. */
export async function refusal(call: Promise<unknown>): Promise<ServiceError> {
  try {
    await call;
  } catch (error) {
    return error as ServiceError;
  }
  throw new Error("expected the call to be refused");
}
