/**
 * @module
 * How `j` (and anything run inside `jmp shell`) finds the exporter (spec exporter §7): `JUMPSTARTER_HOST` is a
 * unix socket path or `host:port`; TCP is TLS unless `JMP_GRPC_INSECURE=1`; `JMP_GRPC_PASSPHRASE` is sent as
 * `x-jumpstarter-passphrase`.
 */
import type { ConnectOptions } from "@jumpstarter/core";
import { CliError } from "../errors.js";

/** Metadata key carrying the direct-mode passphrase. */
export const PASSPHRASE_METADATA = "x-jumpstarter-passphrase";

const truthy = new Set(["1", "true", "yes", "on"]);

/** Whether `value` is `host:port` (the part after the last `:` a port number). */
export function isTcpAddress(value: string): boolean {
  const colon = value.lastIndexOf(":");
  if (colon <= 0) return false;
  const port = value.slice(colon + 1);
  if (!/^\d+$/.test(port)) return false;
  const number = Number(port);
  return number >= 1 && number <= 65535;
}

/** Connection options from the environment; fails outside a jmp shell. */
export function connectOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ConnectOptions {
  const host = env["JUMPSTARTER_HOST"];
  if (!host) throw new CliError("the j command must be used inside a jmp shell: JUMPSTARTER_HOST not set");
  const passphrase = env["JMP_GRPC_PASSPHRASE"];
  const metadata = passphrase ? { metadata: { [PASSPHRASE_METADATA]: passphrase } } : {};
  if (host.startsWith("unix:") || !isTcpAddress(host)) {
    return { address: host.startsWith("unix:") ? host : `unix:${host}`, ...metadata };
  }
  const insecure = truthy.has((env["JMP_GRPC_INSECURE"] ?? "").toLowerCase()) || truthy.has((env["JUMPSTARTER_GRPC_INSECURE"] ?? "").toLowerCase());
  return { address: host, ...(insecure ? {} : { tls: {} }), ...metadata };
}
