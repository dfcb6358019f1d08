import { Server, ServerCredentials, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { HealthImplementation } from "grpc-health-check";
import { contractDefinitions } from "./contract-definitions";
import { withDecodeRefusals } from "./request-decoding";

export interface GrpcServiceBinding {
  /** Fully qualified name, e.g. `handoff.v1.AcdService`; also its health-check name. */
  name: string;
  definition: ServiceDefinition;
  implementation: UntypedServiceImplementation;
}

export interface GrpcServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  services: GrpcServiceBinding[];
}

export interface RunningGrpcServer {
  port: number;
  server: Server;
  /** Sets the status of the whole server ("") and of every bound service. */
  setServing(serving: boolean): void;
  /** Stops accepting, lets in-flight calls finish within `timeoutMs`, then cancels the rest. */
  drain(timeoutMs: number): Promise<void>;
}

/** Reflection over the contract, listing only the services this server serves (`names`). */
function reflectionService(names: string[]): ReflectionService {
  return new ReflectionService(contractDefinitions(), { services: names });
}

/** Starts a grpc-js server with grpc.health.v1 health checking and server reflection. */
export async function startGrpcServer(options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const server = new Server();
  const names = ["", ...options.services.map((s) => s.name)];
  const health = new HealthImplementation(Object.fromEntries(names.map((n) => [n, "NOT_SERVING"])));
  health.addToServer(server);
  reflectionService(options.services.map((s) => s.name)).addToServer(server);
  // A request that does not decode (an int64 beyond 2^53) is INVALID_ARGUMENT naming its field.
  for (const service of options.services)
    server.addService(withDecodeRefusals(service.definition), service.implementation);

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });

  const setServing = (serving: boolean) => {
    for (const name of names) health.setStatus(name, serving ? "SERVING" : "NOT_SERVING");
  };

  const drain = (timeoutMs: number) =>
    new Promise<void>((resolve) => {
      setServing(false);
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, timeoutMs);
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });

  return { port, server, setServing, drain };
}
