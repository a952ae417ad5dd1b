/**
 * @module
 * The ClientConfig and ExporterConfig files `jmp admin` writes (spec controller §9, exporter §1): endpoint,
 * `tls.ca` (base64 PEM), token; saved to the user config directory (`--save`) or to a file (`--out`).
 */
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { userExporterDir, validateAlias } from "../config/paths.js";
import type { ClientConfig } from "../distributed/client-config.js";
import { newClientConfig } from "../distributed/client-config.js";
import { CliError } from "../errors.js";
import type { ControllerTarget } from "./admin-context.js";

/** A ClientConfig for `name` with `token`. */
export function adminClientConfig(namespace: string, name: string, token: string, target: ControllerTarget, drivers: { allow: readonly string[]; unsafe: boolean }): ClientConfig {
  return newClientConfig({ namespace, name, endpoint: target.endpoint, tls: { ca: target.caBase64, insecure: target.insecure }, token, drivers });
}

/** An ExporterConfig document for `name` with `token` and no drivers yet. */
export function adminExporterDocument(namespace: string, name: string, token: string, target: ControllerTarget): Record<string, unknown> {
  return {
    apiVersion: "jumpstarter.dev/v1alpha1",
    kind: "ExporterConfig",
    metadata: { namespace, name },
    endpoint: target.endpoint,
    tls: { ca: target.caBase64, insecure: target.insecure },
    token,
    grpcOptions: {},
    export: {},
  };
}

/** Saves a client config: `out` when given, else the user directory as alias `name`. Returns the path. */
export async function saveAdminClientConfig(name: string, config: ClientConfig, out?: string): Promise<string> {
  const { saveClientConfig } = await import("../distributed/client-store.js");
  return saveClientConfig(name, config, out !== undefined ? { out } : {});
}

/** Writes an exporter config to `out`, or to the user directory as alias `name`. Returns the path. */
export async function saveAdminExporterConfig(name: string, document: Record<string, unknown>, out?: string, overwrite = false): Promise<string> {
  const path = out ?? join(userExporterDir(), `${validateAlias(name)}.yaml`);
  if (out === undefined && !overwrite && existsSync(path)) throw new CliError(`an exporter config with the alias "${name}" already exists: ${path}`);
  const { stringify } = await import("yaml");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(document), { mode: 0o600 });
  return path;
}

/** Removes the saved local config of a client or exporter; returns its path when one existed. */
export async function deleteLocalConfig(kind: "client" | "exporter", name: string): Promise<string | undefined> {
  if (kind === "client") {
    const { clientConfigPath, deleteClient } = await import("../distributed/client-store.js");
    return existsSync(clientConfigPath(name)) ? deleteClient(name) : undefined;
  }
  const path = join(userExporterDir(), `${validateAlias(name)}.yaml`);
  if (!existsSync(path)) return undefined;
  await rm(path);
  return path;
}
