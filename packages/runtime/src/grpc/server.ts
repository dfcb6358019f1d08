import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import { connectionAgeOptions, type ConnectionAge } from "./connection-age";
import { messageSizeOptions } from "./message-size";
import { endOpenStreams } from "./open-streams";
import { contractDefinitions } from "./contract-definitions";
import { withDecodeRefusals } from "./request-decoding";
import { authorizeMethods, methodCallers } from "./method-authorization";
import type { ServiceIdentity } from "./service-identity";
import { serverCredentials, type GrpcTls } from "./tls";

export interface GrpcServiceBinding {
  /** Fully qualified name, e.g. `handoff.v1.AcdService`; also its health-check name. */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
  /** Which services may call each method (a table of `service-callers.ts`); others are refused. */
  callers: Readonly<Record<string, readonly ServiceIdentity[]>>;
}

/** Where and what to serve; `maxConnectionAgeMs` and its grace bound every client connection. */
export interface GrpcServerOptions extends ConnectionAge {
  host: string;
  /** 0 picks a free port. */
  port: number;
  services: GrpcServiceBinding[];
  /** This service's identity: the port accepts mutual TLS only, with a client certificate the CA signed. */
  tls: GrpcTls;
  /**
   * A plaintext port that serves grpc.health.v1 and nothing else, for Kubernetes' native gRPC probes
   * (they cannot present a client certificate); off when undefined, 0 picks a free port.
   */
  healthPort?: number | undefined;
}

export interface RunningGrpcServer {
  port: number;
  /** The plaintext health-only port, when one was asked for. */
  healthPort?: number;
  server: Server;
  /** Sets the status of the whole server ("") and of every bound service. */
  setServing(serving: boolean): void;
  /**
   * Stops accepting (GOAWAY to every connection), ends open server streams with UNAVAILABLE so their
   * clients open them elsewhere, lets in-flight unary calls finish within `timeoutMs`, then cancels the rest.
   */
  drain(timeoutMs: number): Promise<void>;
}

/** Reflection over the contract, listing only the services this server serves (`names`). */
function reflectionService(names: string[]): ReflectionService {
  return new ReflectionService(contractDefinitions(), { services: names });
}

function bind(server: Server, address: string, credentials: ServerCredentials): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.bindAsync(address, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
  });
}

/**
 * Starts a grpc-js server on mutual TLS with grpc.health.v1 health checking, server reflection and the
 * per-method callers tables of its services enforced before any handler runs.
 */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const allowed = new Map(options.services.flatMap((s) => [...methodCallers(s.definition, s.callers)]));
  const server = new Server({
    interceptors: [authorizeMethods(allowed)],
    ...connectionAgeOptions(options),
    ...messageSizeOptions(),
  });
  const names = ["", ...options.services.map((s) => s.name)];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, "NOT_SERVING"])));
  health.addToServer(server);
  reflectionService(options.services.map((s) => s.name)).addToServer(server);
  // A request that does not decode (an int64 beyond 2^53) is INVALID_ARGUMENT naming its field.
  for (const service of options.services)
    server.addService(withDecodeRefusals(service.definition), service.implementation);
  const port = await bind(server, `${options.host}:${options.port}`, serverCredentials(options.tls));

  let healthServer: Server | undefined;
  let healthPort: number | undefined;
  if (options.healthPort !== undefined) {
    healthServer = new Server();
    health.addToServer(healthServer);
    healthPort = await bind(healthServer, `${options.host}:${options.healthPort}`, ServerCredentials.createInsecure());
  }

  const setServing = (serving: boolean) => {
    for (const name of names) health.setStatus(name, serving ? "SERVING" : "NOT_SERVING");
  };

  const drain = (timeoutMs: number) =>
    new Promise<void>((resolve) => {
      setServing(false);
      // The probe port answers NOT_SERVING until the end, so Kubernetes sees the drain.
      const timer = setTimeout(() => {
        server.forceShutdown();
        healthServer?.forceShutdown();
        resolve();
      }, timeoutMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        healthServer?.forceShutdown();
        resolve();
      });
      // tryShutdown has closed the listeners and sent every connection GOAWAY; unary calls in flight
      // finish, streams would never: they end now, so the drain waits only for work that ends.
      endOpenStreams();
    });

  return { port, ...(healthPort === undefined ? {} : { healthPort }), server, setServing, drain };
}
