/**
 * @module
 * Saved exporter configs: create in the user directory (mode 0600), list both directories (user wins),
 * delete from the user directory.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CliError } from "../errors.js";
import { SYSTEM_EXPORTER_DIR, userExporterDir, validateAlias } from "./paths.js";

/** A saved config: its alias and file. */
export interface SavedExporter {
  readonly alias: string;
  readonly path: string;
}

/** Values of a new exporter config. */
export interface NewExporter {
  readonly namespace: string;
  readonly name: string;
  readonly endpoint: string;
  readonly token: string;
  readonly insecureTls?: boolean;
}

/** Every saved exporter config, sorted by alias; a user config hides a system one of the same alias. */
export function listSavedExporters(env: NodeJS.ProcessEnv = process.env, systemDir = SYSTEM_EXPORTER_DIR): SavedExporter[] {
  const found = new Map<string, string>();
  for (const dir of [userExporterDir(env), systemDir]) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (!name.endsWith(".yaml")) continue;
      const alias = name.slice(0, -".yaml".length);
      if (!found.has(alias)) found.set(alias, join(dir, name));
    }
  }
  return [...found.entries()].map(([alias, path]) => ({ alias, path })).sort((a, b) => a.alias.localeCompare(b.alias));
}

/** Writes a new exporter config for `alias`; refuses to overwrite. Returns its path. */
export async function createSavedExporter(alias: string, values: NewExporter, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  validateAlias(alias);
  const dir = userExporterDir(env);
  const path = join(dir, `${alias}.yaml`);
  if (existsSync(path)) throw new CliError(`an exporter config with the alias "${alias}" already exists: ${path}`);
  const { stringify } = await import("yaml");
  const document = {
    apiVersion: "jumpstarter.dev/v1alpha1",
    kind: "ExporterConfig",
    metadata: { namespace: values.namespace, name: values.name },
    endpoint: values.endpoint,
    token: values.token,
    tls: { ca: "", insecure: values.insecureTls ?? false },
    export: {},
  };
  await mkdir(dir, { recursive: true });
  await writeFile(path, stringify(document), { mode: 0o600, flag: "wx" });
  return path;
}

/** Deletes the user config of `alias`. Returns its path. */
export async function deleteSavedExporter(alias: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  validateAlias(alias);
  const path = join(userExporterDir(env), `${alias}.yaml`);
  if (!existsSync(path)) throw new CliError(`exporter config "${alias}" does not exist in ${userExporterDir(env)}`);
  await rm(path);
  return path;
}

/** The raw YAML values of a saved config (for `-o json|yaml`). */
export async function readSavedExporter(saved: SavedExporter): Promise<Record<string, unknown>> {
  const { parse } = await import("yaml");
  try {
    const value: unknown = parse(await readFile(saved.path, "utf8"));
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
