import { credentials, ServerCredentials, type ChannelCredentials, type ChannelOptions } from "@grpc/grpc-js";
import { isIP } from "node:net";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigInvalidError } from "../config/load-config";

/**
 * The PEM files of a service's identity: its own certificate and key (presented both as a server and
 * as a client) and the CA that signs every service's certificate. In Kubernetes they are the mounted
 * `tls.crt`, `tls.key` and `ca.crt` of a cert-manager Certificate's secret; locally the development CA
 * (`loadOrCreateDevCertificates`).
 */
export const grpcTlsSettings = {
  GRPC_TLS_CERT: z.string().min(1, "must be the path of the service's PEM certificate"),
  GRPC_TLS_KEY: z.string().min(1, "must be the path of the service's PEM private key"),
  GRPC_TLS_CA: z.string().min(1, "must be the path of the PEM CA that signs every service's certificate"),
};

export type GrpcTlsSettings = { [K in keyof typeof grpcTlsSettings]: string };

/** The loaded PEM material of a service's identity. */
export interface GrpcTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** Reads the three PEM files; an unreadable one fails start-up naming its variable. */
export function loadGrpcTls(settings: GrpcTlsSettings): GrpcTls {
  const read = (name: keyof GrpcTlsSettings): Buffer => {
    try {
      return readFileSync(settings[name]);
    } catch (error) {
      throw new ConfigInvalidError([`${name}: cannot read ${settings[name]} (${(error as Error).message})`]);
    }
  };
  return { ca: read("GRPC_TLS_CA"), cert: read("GRPC_TLS_CERT"), key: read("GRPC_TLS_KEY") };
}

/** Server credentials that require and verify a client certificate signed by the CA (mutual TLS). */
export const serverCredentials = (tls: GrpcTls): ServerCredentials =>
  ServerCredentials.createSsl(tls.ca, [{ private_key: tls.key, cert_chain: tls.cert }], true);

/** Channel credentials that verify the server against the CA and present this service's certificate. */
export const channelCredentials = (tls: GrpcTls): ChannelCredentials =>
  credentials.createSsl(tls.ca, tls.key, tls.cert);

/**
 * Channel options for a TLS address. Node warns (DEP0123) when the TLS server name is an IP, which
 * local and test addresses are (`127.0.0.1:50051`, or grpc-js's list of replicas
 * `ipv4:127.0.0.1:50051,127.0.0.1:50052`): there the server is named `localhost`, which every
 * development certificate carries. In a cluster the address is a DNS name and is verified as it is.
 */
export function tlsChannelOptions(address: string): ChannelOptions {
  const target = address.replace(/^(dns:\/\/\/|ipv4:|ipv6:)/, "");
  const host = target.startsWith("[") ? target.slice(1, target.indexOf("]")) : target.split(":")[0];
  return host !== undefined && isIP(host) !== 0 ? { "grpc.ssl_target_name_override": "localhost" } : {};
}
