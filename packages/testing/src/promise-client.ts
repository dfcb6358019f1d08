import { Metadata, type ChannelCredentials, type ChannelOptions, type Client, type ServiceError } from "@grpc/grpc-js";
import { channelCredentials, tlsChannelOptions, type ServiceCallers, type ServiceIdentity } from "@handoff/runtime";
import { devClientTls } from "./dev-identity";

/** The unary methods of a generated grpc-js client, as promise-returning functions. */
export type PromiseClient<C> = {
  [K in keyof C]: C[K] extends {
    (req: infer Req, md: Metadata, opts: never, cb: (e: ServiceError | null, r: infer Res) => void): unknown;
  }
    ? (req: Req) => Promise<Res>
    : never;
} & { raw: C; close(): void };

/**
 * Who the test client is: one service for every call, or a service's callers table, from which each
 * method is called as the first service the table allows for it (the caller production uses).
 */
export type TestCaller = ServiceIdentity | ServiceCallers<Record<string, unknown>>;

/**
 * Wraps a ts-proto grpc-js client so tests can `await client.someCall({...})` (10 s deadline), over
 * mutual TLS with the development certificate of the caller; `raw` gives the generated methods (streams)
 * under the same choice of caller.
 */
export function promiseClient<C extends Client>(
  Ctor: new (address: string, creds: ChannelCredentials, options: ChannelOptions) => C,
  address: string,
  caller: TestCaller,
): PromiseClient<C> {
  const clients = new Map<ServiceIdentity, C>();
  const clientAs = (identity: ServiceIdentity): C => {
    let client = clients.get(identity);
    if (!client) {
      client = new Ctor(address, channelCredentials(devClientTls(identity)), tlsChannelOptions(address));
      clients.set(identity, client);
    }
    return client;
  };
  // A name the table does not list (`then` when awaited, `toJSON`) is no method of the service.
  const identityFor = (name: string | symbol): ServiceIdentity | undefined =>
    typeof caller === "string" ? caller : typeof name === "string" ? caller[name]?.[0] : undefined;
  const methodOf = (name: string | symbol): { client: C; method: unknown } | undefined => {
    const identity = identityFor(name);
    if (identity === undefined) return undefined;
    const client = clientAs(identity);
    return { client, method: (client as unknown as Record<string | symbol, unknown>)[name] };
  };
  const raw = new Proxy({} as C, {
    get(_target, name) {
      const found = methodOf(name);
      if (typeof found?.method !== "function") return found?.method;
      return (found.method as (...a: unknown[]) => unknown).bind(found.client);
    },
  });
  return new Proxy({} as PromiseClient<C>, {
    get(_target, name) {
      if (name === "raw") return raw;
      if (name === "close") return () => clients.forEach((client) => client.close());
      const found = methodOf(name);
      if (typeof found?.method !== "function") return undefined;
      const { client, method } = found;
      return (req: unknown) =>
        new Promise((resolve, reject) => {
          (method as (...a: unknown[]) => void).call(
            client,
            req,
            new Metadata(),
            { deadline: Date.now() + 10_000 },
            (e: ServiceError | null, r: unknown) => (e ? reject(e) : resolve(r)),
          );
        });
    },
  });
}
