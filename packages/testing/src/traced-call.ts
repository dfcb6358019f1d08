import { Metadata, type ServiceError } from "@grpc/grpc-js";
import { randomBytes } from "node:crypto";

/** The trace id of a W3C `traceparent` (`00-<trace id>-<span id>-<flags>`); empty when there is none. */
export const traceIdOf = (traceparent: string): string => traceparent.split("-")[1] ?? "";

/**
 * Makes a gRPC call as the first hop of a new, sampled trace (a `traceparent` in its metadata, as an
 * instrumented caller sends it) and resolves with that trace's id.
 */
export async function tracedCall(
  call: (metadata: Metadata, done: (error: ServiceError | null) => void) => void,
): Promise<string> {
  const traceId = randomBytes(16).toString("hex");
  const metadata = new Metadata();
  metadata.set("traceparent", `00-${traceId}-${randomBytes(8).toString("hex")}-01`);
  await new Promise<void>((resolve, reject) => call(metadata, (error) => (error ? reject(error) : resolve())));
  return traceId;
}
