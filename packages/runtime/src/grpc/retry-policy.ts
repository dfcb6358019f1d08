import type { MethodDefinition } from "@grpc/proto-loader";
import { contractDefinitions } from "./contract-definitions";

/**
 * The idempotency levels of google/protobuf/descriptor.proto's MethodOptions that say a method may be
 * sent again: NO_SIDE_EFFECTS (a read) and IDEMPOTENT (a repeat changes nothing more, e.g. a read
 * that records the estimate shown at most once per interval). The protos declare it on each method
 * (`option idempotency_level = ...`), so the retry list follows the contract and cannot drift from it.
 */
const RETRYABLE_LEVELS = new Set(["NO_SIDE_EFFECTS", "IDEMPOTENT"]);

/**
 * gRPC's retry policy (https://github.com/grpc/proposal/blob/master/A6-client-retries.md) for those
 * methods: UNAVAILABLE only (a replica draining, restarting, or whose PostgreSQL or Redis is out of
 * reach), at most 3 attempts 50-500 ms apart, all within the call's own deadline. With round_robin the
 * next attempt goes to the next replica. Writes get none: a write answered UNAVAILABLE may have been
 * done, and only its caller's idempotency key makes sending it again safe.
 */
export const READ_RETRY_POLICY = {
  maxAttempts: 3,
  initialBackoff: "0.05s",
  maxBackoff: "0.5s",
  backoffMultiplier: 2,
  retryableStatusCodes: ["UNAVAILABLE"],
} as const;

/**
 * gRPC's retry throttling: every failed attempt takes a token, every answer gives one back, and a
 * channel retries only while it holds more than half of its 10. One replica of two down keeps its
 * retries (each failed first attempt is repaid by the answer of the retry); every replica down (its
 * PostgreSQL gone) stops them after about 5 failed calls, instead of asking 3 times as often.
 */
const RETRY_THROTTLING = { maxTokens: 10, tokenRatio: 1 } as const;

const isMethod = (definition: unknown): definition is MethodDefinition<unknown, unknown> =>
  typeof definition === "object" && definition !== null && "path" in definition && "requestStream" in definition;

/** The unary methods of `serviceName` (`handoff.v1.AcdService`) whose proto says they may be sent again. */
export function retryableMethods(serviceName: string): string[] {
  const service = contractDefinitions()[serviceName];
  if (typeof service !== "object" || "format" in service) return [];
  return Object.values(service)
    .filter(isMethod)
    .filter((m) => !m.requestStream && !m.responseStream)
    .filter((m) => RETRYABLE_LEVELS.has(String(m.options.idempotency_level)))
    .map((m) => m.path.slice(m.path.lastIndexOf("/") + 1));
}

/**
 * A client channel's service config: calls spread round-robin over the addresses the name resolves
 * to, the retryable methods of `serviceName` (when it is one of ours) under {@link READ_RETRY_POLICY}.
 */
export function clientServiceConfig(serviceName: string | undefined): string {
  const methods = serviceName ? retryableMethods(serviceName) : [];
  return JSON.stringify({
    loadBalancingConfig: [{ round_robin: {} }],
    ...(methods.length > 0
      ? {
          methodConfig: [
            { name: methods.map((method) => ({ service: serviceName, method })), retryPolicy: READ_RETRY_POLICY },
          ],
          retryThrottling: RETRY_THROTTLING,
        }
      : {}),
  });
}
