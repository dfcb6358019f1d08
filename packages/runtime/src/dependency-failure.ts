/**
 * Which storage dependency an error says is out of reach: PostgreSQL stopped, restarting or
 * unreachable, or Redis's connection lost. Such an error is the caller's "try again shortly" (gRPC
 * UNAVAILABLE, HTTP 503 with Retry-After), not a bug of ours (INTERNAL, 500): both transports ask
 * {@link unavailableDependency} before they call an error unexpected.
 */
export type Dependency = "postgresql" | "redis";

/** How long a caller is told to wait before it asks again: a PostgreSQL restart or Redis failover takes seconds. */
export const DEPENDENCY_RETRY_AFTER_S = 2;

/** The machine-readable reason both transports give, with the dependency named beside it. */
export const DEPENDENCY_UNAVAILABLE = "DEPENDENCY_UNAVAILABLE";

const marked = new WeakMap<object, Dependency>();

/**
 * Records that `error` came from `dependency`'s connection. A socket error (ECONNREFUSED, ECONNRESET)
 * does not say whose socket it was; the door to the dependency (createPgPool) marks it on its way out.
 */
export function markDependencyFailure<E>(error: E, dependency: Dependency): E {
  if (typeof error === "object" && error !== null) marked.set(error, dependency);
  return error;
}

/**
 * PostgreSQL SQLSTATEs that mean "this server cannot serve you now": class 08 (connection exception),
 * 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down).
 */
const POSTGRES_UNAVAILABLE_STATE = /^(08[0-9A-Z]{3}|57P0[123])$/;

/** pg's own words for a connection that died or never came (pg-pool's acquire timeout among them). */
const POSTGRES_CONNECTION_MESSAGE =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error and is not queryable)/;

/** ioredis's errors for a connection that is gone (offline queue off, retries per request spent, cluster down). */
const REDIS_ERROR_NAMES = new Set(["MaxRetriesPerRequestError", "ClusterAllFailedError"]);
const REDIS_CONNECTION_MESSAGE =
  /^(Connection is closed\.|Stream isn't writeable|None of startup nodes is available|Cluster isn't ready|Failed to refresh slots cache)/;
/** Redis's own replies while it cannot serve: loading its data after a restart, a cluster without a master for a slot. */
const REDIS_UNAVAILABLE_REPLY = /^(LOADING|CLUSTERDOWN|MASTERDOWN) /;

function dependencyOf(error: object): Dependency | undefined {
  const found = marked.get(error);
  if (found) return found;
  const { code, name, message } = error as { code?: unknown; name?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : "";
  if (typeof code === "string" && POSTGRES_UNAVAILABLE_STATE.test(code)) return "postgresql";
  if (POSTGRES_CONNECTION_MESSAGE.test(text)) return "postgresql";
  if (typeof name === "string" && REDIS_ERROR_NAMES.has(name)) return "redis";
  if (REDIS_CONNECTION_MESSAGE.test(text)) return "redis";
  if (name === "ReplyError" && REDIS_UNAVAILABLE_REPLY.test(text)) return "redis";
  return undefined;
}

/** Errors wrapped by a layer above (`new Error(..., { cause })`) are looked through this deep. */
const MAX_CAUSE_DEPTH = 5;

/** The dependency `error` (or an error it wraps) says is unavailable; undefined for any other error. */
export function unavailableDependency(error: unknown): Dependency | undefined {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSE_DEPTH; depth++) {
    if (typeof current !== "object" || current === null) return undefined;
    const dependency = dependencyOf(current);
    if (dependency) return dependency;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * A dependency out of reach as every transport tells its caller (gRPC ErrorInfo, HTTP 503 problem, the
 * agent socket's error frame): what failed, and when to ask again.
 */
export interface DependencyFailure {
  /**
   * `postgresql` or `redis` (the answering service's own), a peer service that was not reached or did
   * not answer in time (`session-broker`), or a peer's own dependency (`session-broker/postgresql`).
   */
  dependency: string;
  /** Seconds before asking again. */
  retryAfterS: number;
}

/** The failure `error` says, when it is a dependency of this service out of reach (see unavailableDependency). */
export function dependencyFailureOf(error: unknown): DependencyFailure | undefined {
  const dependency = unavailableDependency(error);
  return dependency && { dependency, retryAfterS: DEPENDENCY_RETRY_AFTER_S };
}

/** What the caller is told: the dependency named, and when to try again. */
export const dependencyUnavailableText = (failure: DependencyFailure): string =>
  `${failure.dependency} is unavailable; retry in ${failure.retryAfterS} s`;
