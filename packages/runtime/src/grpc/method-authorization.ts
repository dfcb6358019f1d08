import {
  Metadata,
  ServerInterceptingCall,
  status,
  type ServerInterceptor,
  type ServiceDefinition,
} from "@grpc/grpc-js";
import { connectionCallerIdentity } from "./connection-identity";

/** Open to every caller that passed mutual TLS: probes and tooling, no routing state behind them. */
const OPEN_SERVICE_PREFIXES = ["/grpc.health.v1.Health/", "/grpc.reflection.v1.", "/grpc.reflection.v1alpha."];

/** The callers allowed for each method path (`/handoff.v1.AcdService/SetRepCapacity`). */
export type MethodCallers = ReadonlyMap<string, ReadonlySet<string>>;

/** Turns a service's callers table (keyed by generated method names) into method paths. */
export function methodCallers(
  definition: ServiceDefinition,
  callers: Readonly<Record<string, readonly string[]>>,
): MethodCallers {
  return new Map(
    Object.entries(definition).map(([method, { path }]) => [path, new Set(callers[method] ?? [])] as const),
  );
}

/**
 * A server interceptor that refuses a call before its handler runs unless the verified client
 * certificate names a service the table allows for the method (PERMISSION_DENIED; UNAUTHENTICATED when
 * the certificate carries no Handoff identity). A method missing from the table is refused: the
 * server fails closed.
 */
export function authorizeMethods(allowed: MethodCallers): ServerInterceptor {
  return (method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) => {
        next({
          onReceiveMetadata: (metadata, forward) => {
            if (OPEN_SERVICE_PREFIXES.some((prefix) => method.path.startsWith(prefix))) return forward(metadata);
            const caller = connectionCallerIdentity(call);
            if (caller === undefined) {
              call.sendStatus({
                code: status.UNAUTHENTICATED,
                details: "the client certificate names no Handoff service (URI SAN spiffe://handoff/<service>)",
                metadata: new Metadata(),
              });
              return;
            }
            if (!allowed.get(method.path)?.has(caller)) {
              call.sendStatus({
                code: status.PERMISSION_DENIED,
                details: `${caller} may not call ${method.path}`,
                metadata: new Metadata(),
              });
              return;
            }
            forward(metadata);
          },
        });
      },
    });
}
