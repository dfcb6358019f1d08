import type { UntypedServiceImplementation } from "@grpc/grpc-js";
import { AcdServiceService } from "@handoff/proto/acd_service";
import { ACD_CALLERS, startGrpcServer, type RunningGrpcServer } from "@handoff/runtime";
import { devClientTls } from "@handoff/testing";
import type { GrpcServerOptions } from "../../src/grpc/server";

/**
 * A loopback server of the acd's contract with `implementation` (the methods a test needs), on the
 * acd's development certificate and its callers table, as the runtime's gRPC tests serve it.
 */
export function startAcdTestServer(
  implementation: UntypedServiceImplementation,
  options: Omit<Partial<GrpcServerOptions>, "services"> = {},
): Promise<RunningGrpcServer> {
  return startGrpcServer({
    host: "127.0.0.1",
    port: 0,
    tls: devClientTls("acd"),
    ...options,
    services: [{ name: "handoff.v1.AcdService", definition: AcdServiceService, implementation, callers: ACD_CALLERS }],
  });
}
