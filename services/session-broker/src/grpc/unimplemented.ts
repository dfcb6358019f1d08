import { status } from "@grpc/grpc-js";
import { GrpcStatusError } from "@handoff/runtime";

/** TEMPORARY while the broker is being built: every method here is replaced by its handler group. */
export const unimplemented = (method: string) => () => {
  throw new GrpcStatusError(status.UNIMPLEMENTED, `${method} is not built yet`);
};
