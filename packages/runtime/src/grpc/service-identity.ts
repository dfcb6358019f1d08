import type { PeerCertificate } from "node:tls";

/** What a grpc-js call's `getAuthContext()` tells (grpc-js does not export the type). */
export interface PeerAuth {
  sslPeerCertificate?: PeerCertificate;
}

/** The services that call each other over gRPC; each holds a certificate naming one of them. */
export const SERVICE_IDENTITIES = ["acd", "presence", "session-broker", "reporting", "intake"] as const;
export type ServiceIdentity = (typeof SERVICE_IDENTITIES)[number];

/** The trust domain of Handoff's SPIFFE-style identities. */
const TRUST_DOMAIN = "handoff";

/**
 * The URI SAN a service's certificate carries, `spiffe://handoff/<service>`; cert-manager puts it
 * there from the Certificate's `uris:` list.
 */
export const identityUri = (identity: string): string => `spiffe://${TRUST_DOMAIN}/${identity}`;

// Node prints a certificate's SANs as `DNS:acd, URI:spiffe://handoff/acd, IP Address:127.0.0.1`.
const URI_SAN = new RegExp(`(?:^|, )URI:spiffe://${TRUST_DOMAIN}/([a-z][a-z0-9-]{0,62})(?=,|$)`);

/**
 * The caller's service name from the client certificate the TLS handshake verified against the CA, or
 * undefined when the call carries none (or one without a Handoff identity). Only the URI SAN counts:
 * a DNS name says where a server lives, not who a client is.
 */
export function callerIdentity(auth: PeerAuth | null | undefined): string | undefined {
  const certificate = auth?.sslPeerCertificate;
  if (!certificate?.subjectaltname) return undefined;
  return URI_SAN.exec(certificate.subjectaltname)?.[1];
}
