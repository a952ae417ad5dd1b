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

// Distributed mode (a controller)
export { runControllerExporter } from "./distributed/exporter.js";
export type { ControllerExporterOptions } from "./distributed/exporter.js";
export { runRemoteShell } from "./distributed/remote-shell.js";
export type { RemoteShellOptions } from "./distributed/remote-shell.js";
export { ControllerSession } from "./distributed/client-api.js";
export type { LeaseRequest, LeaseUpdate } from "./distributed/client-api.js";
export { chooseLease, waitForLease, queuePosition } from "./distributed/acquire.js";
export type { LeaseChoice, ChosenLease, WaitOptions } from "./distributed/acquire.js";
export { validateClientConfig, parseClientConfig, loadClientConfigFile, clientConfigFromEnv, clientConfigDocument, LEASE_DEFAULTS } from "./distributed/client-config.js";
export type { ClientConfig, LoadedClientConfig, ClientConfigResult } from "./distributed/client-config.js";
export { selectClientConfig, saveClientConfig, loadClientAlias, listClientAliases, currentClientAlias, useClient, deleteClient, userClientDir } from "./distributed/client-store.js";
export type { ClientSelection } from "./distributed/client-store.js";
export { identityMetadata, controllerClient, clientServiceClient } from "./distributed/controller.js";
export type { Identity, ControllerAccess } from "./distributed/controller.js";
export { openTunnel, splice } from "./distributed/router-bridge.js";
export type { RouterTicket, Tunnel } from "./distributed/router-bridge.js";
export { RpcClient, channelCredentials } from "./distributed/rpc.js";
export type { Endpoint, TlsSettings, RpcOptions } from "./distributed/rpc.js";
export { leaseView, leaseJson, leaseTable, exporterView, exporterTable, exporterListJson } from "./distributed/lease-view.js";
export type { LeaseView, ExporterView, ExporterColumns } from "./distributed/lease-view.js";
export { parseDuration, parseDateTime } from "./distributed/durations.js";

// Programs
export { runJ } from "./j/main.js";
export { runJmp, jmpProgram } from "./jmp/main.js";
export { buildProgram } from "./j/build-program.js";
export type { CommandsBuilder } from "./j/plugins.js";
export { connectOptionsFromEnv, PASSPHRASE_METADATA } from "./j/host.js";

// Errors
export { CliError, UsageError, ConfigError } from "./errors.js";
export type { ConfigLocation } from "./errors.js";
