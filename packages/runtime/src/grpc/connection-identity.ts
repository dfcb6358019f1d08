import type { Http2Session } from "node:http2";
import { callerIdentity, type PeerAuth } from "./service-identity";

/**
 * grpc-js's `getAuthContext()` builds a whole PeerCertificate on every call (the key exported, three
 * fingerprints): about 220 µs for an RSA-2048 certificate on the 2-core machine, three times per
 * routing cycle, the largest single cost in the acd's CPU profile (`bench:acd --phases=service
 * --acd-node-options=--cpu-prof`). The certificate a connection verified cannot change while it lives
 * (HTTP/2 forbids TLS renegotiation), so the caller's identity is read once per HTTP/2 session.
 *
 * grpc-js gives a call no public handle on its connection. Its base server call (what a server's first
 * interceptor receives) holds the HTTP/2 stream; its session is used only as the cache key, never to
 * read the certificate. A call of any other shape is read through `getAuthContext()` every time: slower,
 * never wrong.
 */
const identities = new WeakMap<Http2Session, string | undefined>();

interface ServerCallOnSession {
  getAuthContext(): PeerAuth | null;
  stream?: { session?: Http2Session };
}

/** The verified caller of a call (see `callerIdentity`), read once per connection. */
export function connectionCallerIdentity(call: ServerCallOnSession): string | undefined {
  const session = call.stream?.session;
  if (session === undefined) return callerIdentity(call.getAuthContext());
  if (identities.has(session)) return identities.get(session);
  const identity = callerIdentity(call.getAuthContext());
  identities.set(session, identity);
  return identity;
}
