/**
 * @module
 * Options shared by several jmp commands: choosing an exporter config, and the global log level.
 */
import type { Severity } from "@jumpstarter/core";
import type { LoadedExporterConfig } from "../config/load.js";
import { UsageError } from "../errors.js";
import { parseLogLevel } from "../log.js";

/** `--exporter ALIAS` / `--exporter-config PATH`. */
export interface ExporterSelection {
  readonly exporter?: string;
  readonly exporterConfig?: string;
}

/** Loads the selected exporter config; `required` makes having neither a usage error. */
export async function loadSelectedExporter(selection: ExporterSelection): Promise<LoadedExporterConfig | undefined> {
  if (selection.exporter !== undefined && selection.exporterConfig !== undefined) {
    throw new UsageError("use either --exporter or --exporter-config, not both");
  }
  if (selection.exporterConfig !== undefined) {
    const { loadExporterConfigFile } = await import("../config/load.js");
    return loadExporterConfigFile(selection.exporterConfig);
  }
  if (selection.exporter !== undefined) {
    const { loadExporterConfigAlias } = await import("../config/load.js");
    return loadExporterConfigAlias(selection.exporter);
  }
  return undefined;
}

/** The `--log-level` in effect (global option). */
export function logLevelOf(options: { logLevel?: string }): Severity {
  return parseLogLevel(options.logLevel ?? process.env["JMP_LOG_LEVEL"]);
}
