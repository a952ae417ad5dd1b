/**
 * @module
 * The controller's generated TLS material: a long-lived private CA (its certificate is the `tls.ca` that admin
 * commands write into client and exporter configs) and a server certificate signed by it whose SANs cover the
 * advertised endpoints. Both are kept in a state directory, so a restarted controller presents a certificate the
 * existing configs still trust; the server certificate is re-issued when the endpoints change or it nears expiry.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { openssl } from "./openssl.js";
import { certificateCovers, LOCAL_HOSTS, subjectAltName } from "./subject-names.js";

/** PEM material of a TLS server. */
export interface TlsMaterial {
  /** Server certificate chain (PEM). */
  readonly cert: string;
  /** Server private key (PEM). */
  readonly key: string;
  /** CA bundle clients must trust (PEM). */
  readonly ca: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_DAYS = 3650;
const SERVER_DAYS = 365;
/** A server certificate closer than this to expiry is re-issued at startup. */
const RENEW_BEFORE_MS = 30 * DAY_MS;

const caConfig = `[req]
distinguished_name = dn
x509_extensions = ext
prompt = no
[dn]
CN = Jumpstarter controller CA
[ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
`;

function serverConfig(hosts: readonly string[]): string {
  return `[req]
distinguished_name = dn
prompt = no
[dn]
CN = ${hosts.find((host) => host !== "") ?? "localhost"}
[ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
subjectAltName = ${subjectAltName(hosts)}
`;
}

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/**
 * Loads or creates the generated TLS material in `directory` (`ca.pem`, `ca.key`, `<name>.pem`, `<name>.key`)
 * for a server reachable as every host in `hosts` (plus localhost, 127.0.0.1 and ::1). `name` (default "server")
 * separates the certificates of processes sharing the directory, such as a controller and a router: both are
 * signed by the one CA, so client configs trust both.
 */
export async function ensureSelfSignedTls(directory: string, hosts: readonly string[], name = "server"): Promise<TlsMaterial> {
  const names = [...hosts, ...LOCAL_HOSTS];
  const pem = `${name}.pem`;
  const keyFile = `${name}.key`;
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const path = (name: string) => join(directory, name);
  const work = await mkdtemp(join(directory, ".tmp-"));
  try {
    if (!existsSync(path("ca.pem")) || !existsSync(path("ca.key"))) {
      await writeFile(join(work, "ca.cnf"), caConfig);
      await openssl(["req", "-x509", ...ecKey, "-days", String(CA_DAYS), "-config", "ca.cnf", "-keyout", "ca.key", "-out", "ca.pem"], work);
      await install(work, directory, [["ca.key", "ca.key"], ["ca.pem", "ca.pem"]]);
      await rm(path(pem), { force: true });
    }
    const current = existsSync(path(pem)) && existsSync(path(keyFile)) ? await readFile(path(pem)) : undefined;
    if (!current || !certificateCovers(current, names, RENEW_BEFORE_MS)) {
      await writeFile(join(work, "server.cnf"), serverConfig(names));
      await openssl(["req", "-new", ...ecKey, "-config", "server.cnf", "-keyout", "server.key", "-out", "server.csr"], work);
      await openssl(
        ["x509", "-req", "-in", "server.csr", "-CA", path("ca.pem"), "-CAkey", path("ca.key"), "-set_serial", `0x${randomBytes(16).toString("hex").replace(/^[89a-f]/, "1")}`,
          "-days", String(SERVER_DAYS), "-sha256", "-extfile", "server.cnf", "-extensions", "ext", "-out", "server.pem"],
        work,
      );
      await install(work, directory, [["server.key", keyFile], ["server.pem", pem]]);
    }
    const [cert, key, ca] = await Promise.all([pem, keyFile, "ca.pem"].map((file) => readFile(path(file), "utf8")));
    return { cert: cert!, key: key!, ca: ca! };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function install(from: string, to: string, files: readonly (readonly [string, string])[]): Promise<void> {
  for (const [source, name] of files) {
    const content = await readFile(join(from, source));
    const target = join(to, name);
    const mode = name.endsWith(".key") ? 0o600 : 0o644;
    await writeFile(target, content, { mode });
    await chmod(target, mode);
  }
}

/** Reads a certificate/key pair given on the command line; the CA bundle defaults to the certificate itself. */
export async function loadTlsFiles(certFile: string, keyFile: string, caFile?: string): Promise<TlsMaterial> {
  const [cert, key, ca] = await Promise.all([readFile(certFile, "utf8"), readFile(keyFile, "utf8"), caFile ? readFile(caFile, "utf8") : undefined]);
  return { cert, key, ca: ca ?? cert };
}
