import { Metadata, type ChannelCredentials, type ChannelOptions, type Client, type ServiceError } from "@grpc/grpc-js";
import { channelCredentials, tlsChannelOptions, type GrpcTls } from "./tls";

/** @default 5000 */
export const DEFAULT_DEADLINE_MS = 5_000;

type ClientConstructor<C extends Client> = new (
  address: string,
  creds: ChannelCredentials,
  options: ChannelOptions,
) => C;

/**
 * grpc-js defaults to `pick_first`: every call of a client goes to one address. `round_robin` keeps a
 * connection to each address the name resolves to (`dns:///` of a headless Service: every pod) and
 * spreads calls over them; with one address it is that address.
 */
const ROUND_ROBIN = JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] });

/**
 * A client for an in-cluster address (`host:port` or `dns:///host:port`) on mutual TLS, presenting this
 * service's certificate, its calls spread round-robin over the addresses the name resolves to.
 */
export function createGrpcClient<C extends Client>(Ctor: ClientConstructor<C>, address: string, tls: GrpcTls): C {
  return new Ctor(address, channelCredentials(tls), {
    ...tlsChannelOptions(address),
    "grpc.service_config": ROUND_ROBIN,
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
