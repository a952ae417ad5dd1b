/**
 * @module
 * Loading an ExporterConfig from a file or an alias, with errors that name the file, line and key.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { CliError, ConfigError } from "../errors.js";
import type { ExporterConfig } from "./exporter-config.js";
import { validateExporterConfig } from "./exporter-config.js";
import { issuesToError } from "./issues.js";
import { exporterAliasCandidates, SYSTEM_EXPORTER_DIR } from "./paths.js";
import type { YamlSource } from "./yaml-source.js";
import { parseYaml } from "./yaml-source.js";

/** A loaded config and where it came from. */
export interface LoadedExporterConfig {
  readonly config: ExporterConfig;
  /** The parsed file, for locating later errors (driver config, constructors). */
  readonly source: YamlSource;
  /** Absolute path of the file. */
  readonly path: string;
  /** Directory relative `type:` paths and hook scripts resolve against. */
  readonly directory: string;
  /** The alias it was loaded by, if any. */
  readonly alias?: string;
}

/** Parses and validates ExporterConfig YAML `text` read from `file`. */
export function parseExporterConfig(text: string, file: string): { config: ExporterConfig; source: YamlSource } {
  const source = parseYaml(text, file);
  if (source.value !== null && (typeof source.value !== "object" || Array.isArray(source.value))) {
    throw new ConfigError({ file, line: 1 }, "expected a mapping (an ExporterConfig document)");
  }
  const result = validateExporterConfig(source.value);
  if (!result.success) throw issuesToError(source, result.issues);
  return { config: result.data, source };
}

/** Loads the ExporterConfig at `file`. */
export async function loadExporterConfigFile(file: string): Promise<LoadedExporterConfig> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "is a directory" : String(error);
    throw new CliError(`cannot read exporter config ${file}: ${reason}`, 1, { cause: error });
  }
  const { config, source } = parseExporterConfig(text, file);
  return { config, source, path, directory: dirname(path) };
}

/** Loads the ExporterConfig of `alias` (user directory first, then `/etc/jumpstarter/exporters`). */
export async function loadExporterConfigAlias(
  alias: string,
  env: NodeJS.ProcessEnv = process.env,
  systemDir = SYSTEM_EXPORTER_DIR,
): Promise<LoadedExporterConfig> {
  const candidates = exporterAliasCandidates(alias, env, systemDir);
  const found = candidates.find((candidate) => existsSync(candidate));
  if (!found) throw new CliError(`exporter config "${alias}" not found (looked in ${candidates.join(" and ")})`);
  return { ...(await loadExporterConfigFile(found)), alias };
}
