/**
 * @module
 * Saved client configs (`CONFIG_PATH/clients/<alias>.yaml`, mode 0600) and the user config
 * (`CONFIG_PATH/config.yaml`, `config.current-client`), and choosing the config a command uses: a flag,
 * else the env-only config, else the current client (spec controller §9).
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { userConfigDir } from "../config/paths.js";
import { CliError, UsageError } from "../errors.js";
import type { ClientConfig, LoadedClientConfig } from "./client-config.js";
import { clientConfigDocument, clientConfigFromEnv, loadClientConfigFile } from "./client-config.js";

/** `CONFIG_PATH/clients`. */
export function userClientDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userConfigDir(env), "clients");
}

/** `CONFIG_PATH/config.yaml`. */
export function userConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(userConfigDir(env), "config.yaml");
}

/** Rejects aliases that are not plain file names. */
export function validateClientAlias(alias: string): string {
  if (alias === "" || alias === "." || alias === ".." || /[/\\\0]/.test(alias)) {
    throw new UsageError(`invalid client alias ${JSON.stringify(alias)}: it must be a plain name without / or \\`);
  }
  return alias;
}

/** The file of client `alias`. */
export function clientConfigPath(alias: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(userClientDir(env), `${validateClientAlias(alias)}.yaml`);
}

/** Aliases of the saved client configs, sorted. */
export function listClientAliases(env: NodeJS.ProcessEnv = process.env): string[] {
  try {
    return readdirSync(userClientDir(env))
      .filter((name) => name.endsWith(".yaml"))
      .map((name) => name.slice(0, -".yaml".length))
      .sort();
  } catch {
    return [];
  }
}

/** The alias in `config.current-client`, or null. */
export async function currentClientAlias(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  const file = userConfigFile(env);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return null;
  }
  const { parse } = await import("yaml");
  let value: unknown;
  try {
    value = parse(text);
  } catch (error) {
    throw new CliError(`cannot parse ${file}: ${(error as Error).message.split("\n")[0]}`);
  }
  const current = (value as { config?: { "current-client"?: unknown } } | null)?.config?.["current-client"];
  return typeof current === "string" && current ? current : null;
}

/** Sets `config.current-client` (null clears it). */
export async function setCurrentClient(alias: string | null, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const file = userConfigFile(env);
  const { stringify } = await import("yaml");
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, stringify({ apiVersion: "jumpstarter.dev/v1alpha1", kind: "UserConfig", config: { "current-client": alias } }), { mode: 0o600 });
}

/** Writes `config` to `path` (mode 0600). */
export async function writeClientConfig(path: string, config: ClientConfig): Promise<void> {
  const { stringify } = await import("yaml");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, stringify(clientConfigDocument(config)), { mode: 0o600 });
}

/**
 * Saves `config` as `alias` (or at `out`); refuses to overwrite a saved alias. The first saved client
 * becomes the current one. Returns the path.
 */
export async function saveClientConfig(alias: string, config: ClientConfig, options: { out?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const env = options.env ?? process.env;
  if (options.out !== undefined) {
    await writeClientConfig(options.out, config);
    return options.out;
  }
  const path = clientConfigPath(alias, env);
  if (existsSync(path)) throw new CliError(`a client config with the alias "${alias}" already exists: ${path}`);
  const first = (await currentClientAlias(env)) === null;
  await writeClientConfig(path, config);
  if (first) await setCurrentClient(alias, env);
  return path;
}

/** Loads saved client `alias`. */
export async function loadClientAlias(alias: string, env: NodeJS.ProcessEnv = process.env): Promise<LoadedClientConfig> {
  const path = clientConfigPath(alias, env);
  if (!existsSync(path)) throw new CliError(`client config "${alias}" not found (looked in ${path})`);
  return loadClientConfigFile(path, alias);
}

/** Makes `alias` current; returns its path. */
export async function useClient(alias: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = clientConfigPath(alias, env);
  if (!existsSync(path)) throw new CliError(`client config "${alias}" does not exist`);
  await setCurrentClient(alias, env);
  return path;
}

/** Deletes `alias`; when it was current another alias (or none) becomes current. Returns its path. */
export async function deleteClient(alias: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const path = clientConfigPath(alias, env);
  if (!existsSync(path)) throw new CliError(`client config "${alias}" does not exist`);
  await rm(path);
  if ((await currentClientAlias(env)) === alias) await setCurrentClient(listClientAliases(env)[0] ?? null, env);
  return path;
}

/** `--client ALIAS` / `--client-config PATH`. */
export interface ClientSelection {
  readonly client?: string;
  readonly clientConfig?: string;
}

/** The config a client command uses: a flag, else the env-only config, else the current client. */
export async function selectClientConfig(selection: ClientSelection, env: NodeJS.ProcessEnv = process.env): Promise<LoadedClientConfig> {
  if (selection.client !== undefined && selection.clientConfig !== undefined) {
    throw new UsageError("use either --client or --client-config, not both");
  }
  if (selection.clientConfig !== undefined) return loadClientConfigFile(selection.clientConfig);
  if (selection.client !== undefined) return loadClientAlias(selection.client, env);
  const fromEnv = clientConfigFromEnv(env);
  if (fromEnv) return { config: fromEnv };
  const current = await currentClientAlias(env);
  if (current === null) {
    throw new CliError("no client config: use --client ALIAS or --client-config PATH, set JMP_NAMESPACE and JMP_NAME, or create one with jmp config client create");
  }
  return loadClientAlias(current, env);
}

/** Whether a client config applies without flags (the env-only config, or a current client). */
export async function hasClientConfig(env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  return clientConfigFromEnv(env) !== undefined || (await currentClientAlias(env)) !== null;
}
