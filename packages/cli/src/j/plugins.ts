/**
 * @module
 * Loads, for the client labels an exporter reports, the client classes and `j` command builders that
 * installed packages declare in their manifests. Only labels present in the report are imported.
 */
import type { DriverClient, DriverClientClass } from "@jumpstarter/core";
import { clientClassFor, registerClientClass } from "@jumpstarter/core";
import { importManifestTarget } from "../plugins/load-export.js";
import { findManifestEntry } from "../plugins/manifests.js";

/** Adds a driver's `j` subcommands to `group` (a commander `Command`). */
export type CommandsBuilder = (group: unknown, client: DriverClient) => void | Promise<void>;

/** What was found for each label. */
export interface LoadedPlugins {
  /** Command builders by client label. */
  readonly commands: ReadonlyMap<string, CommandsBuilder>;
  /** Labels whose client could not be imported, with the reason. */
  readonly failures: ReadonlyMap<string, string>;
}

/** Imports and registers the clients (and loads the command builders) for `labels`. */
export async function loadPlugins(labels: Iterable<string>): Promise<LoadedPlugins> {
  const commands = new Map<string, CommandsBuilder>();
  const failures = new Map<string, string>();
  await Promise.all(
    [...new Set(labels)].map(async (label) => {
      try {
        if (!clientClassFor(label)) {
          const target = findManifestEntry("clients", label);
          if (target) {
            const clientClass = await importManifestTarget(target, `Client '${label}'`);
            if (typeof clientClass === "function") registerClientClass(label, clientClass as DriverClientClass);
          }
        }
        const builderTarget = findManifestEntry("commands", label);
        if (builderTarget) {
          const builder = await importManifestTarget(builderTarget, `Commands of '${label}'`);
          if (typeof builder === "function") commands.set(label, builder as CommandsBuilder);
        }
      } catch (error) {
        failures.set(label, error instanceof Error ? error.message : String(error));
      }
    }),
  );
  return { commands, failures };
}
