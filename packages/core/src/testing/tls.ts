/**
 * @module
 * A throwaway self-signed certificate for tests of TLS listeners, made with the `openssl` command line (Node
 * cannot create X.509 certificates itself).
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

/** Writes `cert.pem` and `key.pem` (P-256, valid 2 days, for IP 127.0.0.1) into `directory`. */
export async function selfSignedCertificate(directory: string, commonName = "jumpstarter-test"): Promise<TestCertificate> {
  const certPath = join(directory, "cert.pem");
  const keyPath = join(directory, "key.pem");
  // prettier-ignore
  await promisify(execFile)("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyPath, "-out", certPath,
    "-days", "2", "-subj", `/CN=${commonName}`, "-addext", "subjectAltName=IP:127.0.0.1",
  ]);
  return { certPath, keyPath, cert: await readFile(certPath), key: await readFile(keyPath) };
}
