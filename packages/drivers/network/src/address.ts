/**
 * @module
 * URL forms of network endpoints as `address()` reports them.
 */
import { isIPv6 } from "node:net";

/** `scheme://host:port`, with IPv6 literals in brackets (`tcp://[::1]:22`). */
export function formatAddress(scheme: "tcp" | "udp", host: string, port: number): string {
  return `${scheme}://${isIPv6(host) ? `[${host}]` : host}:${port}`;
}
