import forge from "node-forge";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { identityUri, SERVICE_IDENTITIES, type ServiceIdentity } from "./service-identity";
import type { GrpcTlsSettings } from "./tls";

/** The repository's git-ignored cache folder for the development CA (from dist/grpc or src/grpc). */
export const DEFAULT_DEV_CA_DIR = path.resolve(__dirname, "..", "..", "..", "..", ".cache", "dev-ca");

/** GeneralName tags of RFC 5280 §4.2.1.6, as forge wants them. */
const GENERAL_NAME = { dns: 2, uri: 6, ip: 7 } as const;
/** Long enough for any development machine; regenerate by deleting the folder. */
const VALID_DAYS = 825;
const DONE = "complete";

/** Where the development CA and every service's certificate and key are kept. */
export interface DevCertificates {
  dir: string;
  caFile: string;
  certFile(identity: ServiceIdentity): string;
  keyFile(identity: ServiceIdentity): string;
}

function layout(dir: string): DevCertificates {
  return {
    dir,
    caFile: path.join(dir, "ca.pem"),
    certFile: (identity) => path.join(dir, `${identity}.pem`),
    keyFile: (identity) => path.join(dir, `${identity}-key.pem`),
  };
}

/** The environment that gives a service (or a test client acting as one) its development identity. */
export const devTlsEnv = (certificates: DevCertificates, identity: ServiceIdentity): GrpcTlsSettings => ({
  GRPC_TLS_CA: certificates.caFile,
  GRPC_TLS_CERT: certificates.certFile(identity),
  GRPC_TLS_KEY: certificates.keyFile(identity),
});

/**
 * A private development CA and a certificate per service in `dir`, created on first use; never used in
 * production, where cert-manager issues them. Several processes may start at once (test workers): each
 * writes a whole candidate folder and renames it into place, which only the first manages, and then all
 * read the one that won.
 */
export function loadOrCreateDevCertificates(dir = DEFAULT_DEV_CA_DIR): DevCertificates {
  if (existsSync(path.join(dir, DONE))) return layout(dir);
  mkdirSync(path.dirname(dir), { recursive: true });
  const candidate = `${dir}.${process.pid}.${randomBytes(4).toString("hex")}`;
  mkdirSync(candidate, { mode: 0o700 });
  try {
    writeCertificates(layout(candidate));
    writeFileSync(path.join(candidate, DONE), "");
    try {
      renameSync(candidate, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw error;
    }
  } finally {
    rmSync(candidate, { recursive: true, force: true });
  }
  if (!existsSync(path.join(dir, DONE))) throw new Error(`development CA ${dir} is incomplete: delete the folder`);
  return layout(dir);
}

function writeCertificates(files: DevCertificates): void {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + VALID_DAYS * 86_400_000);
  // forge generates RSA keys through node:crypto when it can, so this takes milliseconds, not seconds.
  const caKeys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
  const ca = forge.pki.createCertificate();
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = serial();
  ca.validity.notBefore = notBefore;
  ca.validity.notAfter = notAfter;
  const caName = [{ name: "commonName", value: "Handoff development CA" }];
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: "basicConstraints", cA: true, pathLenConstraint: 0, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());
  writeFileSync(files.caFile, forge.pki.certificateToPem(ca));
  const caKeyId = ca.generateSubjectKeyIdentifier().getBytes();

  for (const identity of SERVICE_IDENTITIES) {
    const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
    const certificate = forge.pki.createCertificate();
    certificate.publicKey = keys.publicKey;
    certificate.serialNumber = serial();
    certificate.validity.notBefore = notBefore;
    certificate.validity.notAfter = notAfter;
    certificate.setSubject([{ name: "commonName", value: identity }]);
    certificate.setIssuer(caName);
    certificate.setExtensions([
      { name: "basicConstraints", cA: false, critical: true },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      // The dialled name (`acd` in a cluster, 127.0.0.1 locally) and the identity the peer reads.
      {
        name: "subjectAltName",
        altNames: [
          { type: GENERAL_NAME.dns, value: identity },
          { type: GENERAL_NAME.dns, value: "localhost" },
          { type: GENERAL_NAME.ip, ip: "127.0.0.1" },
          { type: GENERAL_NAME.uri, value: identityUri(identity) },
        ],
      },
      { name: "authorityKeyIdentifier", keyIdentifier: caKeyId },
    ]);
    certificate.sign(caKeys.privateKey, forge.md.sha256.create());
    writeFileSync(files.certFile(identity), forge.pki.certificateToPem(certificate));
    writeFileSync(files.keyFile(identity), forge.pki.privateKeyToPem(keys.privateKey), { mode: 0o600 });
  }
}

/** A positive 16-byte serial number in hex (the top bit clear keeps it positive in DER). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString("hex");
}
