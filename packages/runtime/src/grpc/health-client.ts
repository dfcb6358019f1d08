import { credentials, makeGenericClientConstructor, type Client, type ServiceError } from "@grpc/grpc-js";
import { service as healthService } from "grpc-health-check";
import { channelCredentials, tlsChannelOptions, type GrpcTls } from "./tls";

const HealthClient = makeGenericClientConstructor(healthService, "Health");
const clients = new Map<string, Client>();

export interface HealthCheckOptions {
  /** The service asked about; "" is the whole server. @default "" */
  service?: string;
  /** @default 1000 */
  deadlineMs?: number;
  /** The caller's identity for a mutual-TLS port; plaintext (a health-only port) when undefined. */
  tls?: GrpcTls | undefined;
}

/**
 * Asks a server's grpc.health.v1 `Check` and resolves to its status name (`SERVING`, `NOT_SERVING`,
 * ...); rejects when it cannot be reached within the deadline.
 */
export function checkGrpcHealth(address: string, options: HealthCheckOptions = {}): Promise<string> {
  const { service = "", deadlineMs = 1_000, tls } = options;
  const key = `${tls ? "tls" : "plaintext"}:${address}`;
  let client = clients.get(key);
  if (!client) {
    client = tls
      ? new HealthClient(address, channelCredentials(tls), tlsChannelOptions(address))
      : new HealthClient(address, credentials.createInsecure());
    clients.set(key, client);
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
