import { Metadata, type ChannelCredentials, type ChannelOptions, type Client, type ServiceError } from "@grpc/grpc-js";
import { messageSizeOptions } from "./message-size";
import { clientServiceConfig } from "./retry-policy";
import { channelCredentials, tlsChannelOptions, type GrpcTls } from "./tls";

/** @default 5000 */
export const DEFAULT_DEADLINE_MS = 5_000;

/** A generated client class; grpc-js's makeGenericClientConstructor gives it its service's full name. */
type ClientConstructor<C extends Client> = (new (
  address: string,
  creds: ChannelCredentials,
  options: ChannelOptions,
) => C) & {
  serviceName?: string;
};

/**
 * A client for an in-cluster address (`host:port` or `dns:///host:port`) on mutual TLS, presenting this
 * service's certificate, with the message-size limits the servers have. grpc-js defaults to
 * `pick_first` (every call to one address); `round_robin` keeps a connection to each address the name
 * resolves to (`dns:///` of a headless Service: every pod) and spreads calls over them. The methods
 * the proto marks idempotent are retried on UNAVAILABLE (`clientServiceConfig`).
 */
export function createGrpcClient<C extends Client>(Ctor: ClientConstructor<C>, address: string, tls: GrpcTls): C {
  return new Ctor(address, channelCredentials(tls), {
    ...tlsChannelOptions(address),
    ...messageSizeOptions(),
    "grpc.service_config": clientServiceConfig(Ctor.serviceName),
  });
}

/** The request and response of a generated unary method (its last overload takes metadata and options). */
type UnaryShape<M> = M extends {
  (
    request: infer Req,
    metadata: Metadata,
    options: never,
    callback: (e: ServiceError | null, r: infer Res) => void,
  ): unknown;
}
  ? { request: Req; response: Res }
  : never;

type UnaryMethodName<C> = { [K in keyof C]: UnaryShape<C[K]> extends never ? never : K }[keyof C];

/** Calls a unary method by name with a deadline and returns a promise of its response. */
export function callUnary<C extends Client, K extends UnaryMethodName<C>>(
  client: C,
  method: K,
  request: UnaryShape<C[K]>["request"],
  deadlineMs: number = DEFAULT_DEADLINE_MS,
): Promise<UnaryShape<C[K]>["response"]> {
  const fn = client[method] as unknown as (
    request: unknown,
    metadata: Metadata,
    options: { deadline: number },
    callback: (error: ServiceError | null, response: unknown) => void,
  ) => unknown;
  return new Promise((resolve, reject) => {
    fn.call(client, request, new Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) =>
      error ? reject(error) : resolve(response as UnaryShape<C[K]>["response"]),
    );
  });
}
