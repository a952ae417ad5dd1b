/**
 * @module
 * `@jumpstarter/grpc-http2/testing`: a throwaway self-signed certificate for tests of TLS listeners and clients,
 * made with the `openssl` command line (Node cannot create X.509 certificates itself).
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

/** PEM files written by {@link selfSignedCertificate}, and their contents. */
export interface TestCertificate {
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * Writes `<commonName>.cert.pem` and `<commonName>.key.pem` (P-256, valid 2 days) into `directory`; the
 * certificate is for `subjectAltName` (IP 127.0.0.1 unless given, e.g. `DNS:exporter.lab.test`).
 */
export async function selfSignedCertificate(directory: string, commonName = "jumpstarter-test", subjectAltName = "IP:127.0.0.1"): Promise<TestCertificate> {
  const certPath = join(directory, `${commonName}.cert.pem`);
  const keyPath = join(directory, `${commonName}.key.pem`);
  // prettier-ignore
  await promisify(execFile)("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyPath, "-out", certPath,
    "-days", "2", "-subj", `/CN=${commonName}`, "-addext", `subjectAltName=${subjectAltName}`,
  ]);
  return { certPath, keyPath, cert: await readFile(certPath), key: await readFile(keyPath) };
}
