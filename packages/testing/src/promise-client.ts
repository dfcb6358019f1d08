import { credentials, Metadata, type ChannelCredentials, type Client, type ServiceError } from "@grpc/grpc-js";

/** The unary methods of a generated grpc-js client, as promise-returning functions. */
export type PromiseClient<C> = {
  [K in keyof C]: C[K] extends {
    (req: infer Req, md: Metadata, opts: never, cb: (e: ServiceError | null, r: infer Res) => void): unknown;
  }
    ? (req: Req) => Promise<Res>
    : never;
} & { raw: C; close(): void };

/** Wraps a ts-proto grpc-js client so tests can `await client.someCall({...})` (10 s deadline). */
export function promiseClient<C extends Client>(
  Ctor: new (address: string, creds: ChannelCredentials) => C,
  address: string,
): PromiseClient<C> {
  const raw = new Ctor(address, credentials.createInsecure());
  return new Proxy({} as PromiseClient<C>, {
    get(_target, name: string) {
      if (name === "raw") return raw;
      if (name === "close") return () => raw.close();
      const method = (raw as unknown as Record<string, unknown>)[name];
      if (typeof method !== "function") return undefined;
      return (req: unknown) =>
        new Promise((resolve, reject) => {
          (method as (...a: unknown[]) => void).call(
            raw,
            req,
            new Metadata(),
            { deadline: Date.now() + 10_000 },
            (e: ServiceError | null, r: unknown) => (e ? reject(e) : resolve(r)),
          );
        });
    },
  });
}
