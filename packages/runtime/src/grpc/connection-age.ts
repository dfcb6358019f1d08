import type { ChannelOptions } from "@grpc/grpc-js";

/**
 * How long a server keeps a client's connection before asking it to reconnect (HTTP/2 GOAWAY; grpc-js
 * adds ±10 % jitter), so a client's calls move to pods that started after it connected.
 * @default 300000
 */
export const DEFAULT_MAX_CONNECTION_AGE_MS = 300_000;

/**
 * How long calls still open on a connection past its age may run before it is closed. Unary calls
 * finish long before; a stream that outlives it ends, and its client resumes where it was (the offer
 * feed and the customers' feeds resume by design).
 * @default 300000
 */
export const DEFAULT_MAX_CONNECTION_AGE_GRACE_MS = 300_000;

export interface ConnectionAge {
  /** @default DEFAULT_MAX_CONNECTION_AGE_MS */
  maxConnectionAgeMs?: number | undefined;
  /** @default DEFAULT_MAX_CONNECTION_AGE_GRACE_MS */
  maxConnectionAgeGraceMs?: number | undefined;
}

/** The grpc-js server options of a connection age. */
export function connectionAgeOptions(age: ConnectionAge): ChannelOptions {
  return {
    "grpc.max_connection_age_ms": age.maxConnectionAgeMs ?? DEFAULT_MAX_CONNECTION_AGE_MS,
    "grpc.max_connection_age_grace_ms": age.maxConnectionAgeGraceMs ?? DEFAULT_MAX_CONNECTION_AGE_GRACE_MS,
  };
}
