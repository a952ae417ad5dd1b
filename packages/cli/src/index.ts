/**
 * @module
 * `@jumpstarter/cli`: the `jmp` and `j` programs, and the pieces they are built from (exporter config
 * loading, driver tree building, local and direct mode) for tools that embed them.
 */

// Exporter configs
export { parseExporterConfig, loadExporterConfigFile, loadExporterConfigAlias } from "./config/load.js";
export type { LoadedExporterConfig } from "./config/load.js";
export { validateExporterConfig } from "./config/exporter-config.js";
export type { ExporterConfig, HookConfig, HookFailureAction, ExporterConfigResult } from "./config/exporter-config.js";
export type { DriverEntryConfig, BaseEntryConfig, CompositeEntryConfig, ProxyEntryConfig } from "./config/driver-entry.js";
export { userConfigDir, userExporterDir, exporterAliasCandidates, validateAlias, SYSTEM_EXPORTER_DIR } from "./config/paths.js";

// Driver tree
export { buildDriverTree } from "./exporter/build-tree.js";
export type { TreeSource } from "./exporter/build-tree.js";
export { resolveDriverType, guessPackageName } from "./exporter/driver-types.js";
export type { ResolvedDriverType } from "./exporter/driver-types.js";
export { manifestIndex, findManifestEntry } from "./plugins/manifests.js";
export type { ManifestIndex, ManifestTarget, ManifestSection } from "./plugins/manifests.js";

// Modes
export { runLocalShell } from "./exporter/local-mode.js";
export type { LocalShellOptions } from "./exporter/local-mode.js";
export { runDirect } from "./exporter/direct-mode.js";
export type { DirectOptions, DirectListen } from "./exporter/direct-mode.js";
export { runHook, hookCommand } from "./exporter/hooks.js";
export type { HookContext, HookResult, HookKind } from "./exporter/hooks.js";

// Programs
export { runJ } from "./j/main.js";
export { runJmp, jmpProgram } from "./jmp/main.js";
export { buildProgram } from "./j/build-program.js";
export type { CommandsBuilder } from "./j/plugins.js";
export { connectOptionsFromEnv, PASSPHRASE_METADATA } from "./j/host.js";

// Errors
export { CliError, UsageError, ConfigError } from "./errors.js";
export type { ConfigLocation } from "./errors.js";
