/**
 * @module
 * Where exporter configs live (spec exporter §2): the user directory, then `/etc/jumpstarter/exporters`.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../errors.js";

/** `$JMP_CLIENT_CONFIG_HOME`, else `$XDG_CONFIG_HOME/jumpstarter`, else `~/.config/jumpstarter`. */
export function userConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env["JMP_CLIENT_CONFIG_HOME"];
  if (explicit) return explicit;
  const xdg = env["XDG_CONFIG_HOME"];
  return join(xdg ? xdg : join(homedir(), ".config"), "jumpstarter");
}

/** The system-wide exporter config directory. */
export const SYSTEM_EXPORTER_DIR = "/etc/jumpstarter/exporters";

/** The user's exporter config directory. */
export function userExporterDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(userConfigDir(env), "exporters");
}

/** Rejects aliases that are not plain file names. */
export function validateAlias(alias: string): string {
  if (alias === "" || alias === "." || alias === ".." || alias.includes("/") || alias.includes("\\") || alias.includes("\0")) {
    throw new UsageError(`invalid exporter alias ${JSON.stringify(alias)}: it must be a plain name without / or \\`);
  }
  return alias;
}

/** Candidate files for `alias`, in lookup order. */
export function exporterAliasCandidates(alias: string, env: NodeJS.ProcessEnv = process.env, systemDir = SYSTEM_EXPORTER_DIR): string[] {
  validateAlias(alias);
  return [join(userExporterDir(env), `${alias}.yaml`), join(systemDir, `${alias}.yaml`)];
}
