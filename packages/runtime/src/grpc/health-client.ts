import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";

const HealthClient = makeGenericClientConstructor(healthService, "Health");
const clients = new Map<string, Client>();

/**
 * Asks a server's grpc.health.v1 `Check` for `service` ("" = the whole server) and resolves to its
 * status name (`SERVING`, `NOT_SERVING`, ...); rejects when it cannot be reached within the deadline.
 */
export function checkGrpcHealth(address: string, service = "", deadlineMs = 1_000): Promise<string> {
  let client = clients.get(address);
  if (!client) {
    client = new HealthClient(address, credentials.createInsecure());
    clients.set(address, client);
  }
  type Check = (
    req: { service: string },
    opts: { deadline: number },
    cb: (err: ServiceError | null, res: { status: string }) => void,
  ) => void;
  const check = (client as unknown as { check: Check }).check;
  return new Promise((resolve, reject) => {
    check.call(client, { service }, { deadline: Date.now() + deadlineMs }, (error, response) =>
      error ? reject(error) : resolve(String(response.status)),
    );
  });
}
