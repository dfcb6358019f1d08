import {
  devTlsEnv,
  loadGrpcTls,
  loadOrCreateDevCertificates,
  type GrpcTls,
  type GrpcTlsSettings,
  type ServiceIdentity,
} from "@handoff/runtime";

/** The settings that give a started service its development certificate (the CA is created on first use). */
export const devServiceTlsEnv = (identity: ServiceIdentity): GrpcTlsSettings =>
  devTlsEnv(loadOrCreateDevCertificates(), identity);

/** The development certificate of `identity`, for a test client acting as that service. */
export const devClientTls = (identity: ServiceIdentity): GrpcTls => loadGrpcTls(devServiceTlsEnv(identity));
