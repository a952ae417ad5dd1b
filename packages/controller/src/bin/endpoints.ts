/**
 * @module
 * Listen addresses and advertised endpoints.
 */
import { endpointHost } from "../tls/subject-names.js";

/** The port of `host:port`. */
export function portOf(address: string): string {
  return address.slice(address.lastIndexOf(":") + 1);
}

/** Whether a listen host accepts on every interface. */
export function isWildcard(host: string): boolean {
  return host === "" || host === "0.0.0.0" || host === "::" || host === "[::]";
}

/** What to advertise for a bound listener when no endpoint was given: `localhost:<port>` for wildcard listeners. */
export function advertisedFor(bound: string): string {
  const host = endpointHost(bound);
  return isWildcard(host) ? `localhost:${portOf(bound)}` : bound;
}

/** Replaces the port of `endpoint` with `port` (e.g. the controller's host with the router's port). */
export function withPort(endpoint: string, port: string): string {
  const host = endpointHost(endpoint);
  return `${host.includes(":") ? `[${host}]` : host}:${port}`;
}
