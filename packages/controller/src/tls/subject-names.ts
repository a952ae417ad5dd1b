/**
 * @module
 * Which names a server certificate must carry, and whether a certificate carries them.
 */
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";

/** The host part of `host:port`, `[v6]:port` or a bare host. */
export function endpointHost(endpoint: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(endpoint);
  if (bracketed) return bracketed[1]!;
  if (isIP(endpoint) === 6) return endpoint;
  const colon = endpoint.lastIndexOf(":");
  return colon === -1 ? endpoint : endpoint.slice(0, colon);
}

/** Hosts every generated certificate covers besides the advertised ones, so local tools work too. */
export const LOCAL_HOSTS: readonly string[] = ["localhost", "127.0.0.1", "::1"];

/** The OpenSSL `subjectAltName` value for `hosts` (IP entries for addresses, DNS for names), deduplicated. */
export function subjectAltName(hosts: readonly string[]): string {
  const unique = [...new Set(hosts.filter((host) => host !== "" && host !== "0.0.0.0" && host !== "::"))];
  return unique.map((host) => (isIP(host) ? `IP:${host}` : `DNS:${host}`)).join(",");
}

/** True when `pem` is valid for another `minValidMs` and names every host. */
export function certificateCovers(pem: string | Buffer, hosts: readonly string[], minValidMs: number, now = Date.now()): boolean {
  const certificate = new X509Certificate(pem);
  if (Date.parse(certificate.validTo) - now < minValidMs) return false;
  return hosts
    .filter((host) => host !== "" && host !== "0.0.0.0" && host !== "::")
    .every((host) => (isIP(host) ? certificate.checkIP(host) !== undefined : certificate.checkHost(host, { wildcards: false }) !== undefined));
}
