/**
 * @module
 * Resolving an ExporterConfig `type:` to a driver class. Three spellings (docs/exporter-config.md):
 * - a reference dotted name, `jumpstarter_driver_power.driver.MockPower`, found in installed manifests;
 * - `npm:<package>[/<subpath>]#<Export>`, any npm package visible from the config file or this CLI;
 * - a module file, `./drivers/lamp.js#Lamp` (relative to the config file), `/abs/lamp.js#Lamp` or `file:…`.
 */
import { existsSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { DriverClass } from "@jumpstarter/core";
import { CliError } from "../errors.js";
import { importExport, importManifestTarget } from "../plugins/load-export.js";
import { findManifestEntry } from "../plugins/manifests.js";
import { findPackageDir, resolvePackageExport } from "../plugins/package-resolve.js";

/** A resolved driver class and where it came from. */
export interface ResolvedDriverType {
  readonly driverClass: DriverClass<Record<string, unknown>>;
  /** Human description of the origin, e.g. `@jumpstarter/driver-power`. */
  readonly origin: string;
}

/** The npm package that probably provides a reference dotted name (`jumpstarter_driver_foo.…` → `@jumpstarter/driver-foo`). */
export function guessPackageName(type: string): string {
  const top = type.split(".")[0] ?? type;
  const match = /^jumpstarter_driver_(.+)$/.exec(top);
  if (match) return `@jumpstarter/driver-${match[1]!.replaceAll("_", "-")}`;
  return top.replaceAll("_", "-");
}

function isDriverClass(value: unknown): value is DriverClass<Record<string, unknown>> {
  return typeof value === "function" && typeof (value as { prototype?: { client?: unknown } }).prototype?.client === "function";
}

function splitExport(reference: string): { module: string; exportName: string | undefined } {
  const hash = reference.lastIndexOf("#");
  return hash < 0 ? { module: reference, exportName: undefined } : { module: reference.slice(0, hash), exportName: reference.slice(hash + 1) };
}

function checkClass(value: unknown, type: string, origin: string): ResolvedDriverType {
  if (!isDriverClass(value)) throw new CliError(`'${type}' is not a driver class (it does not extend Driver from @jumpstarter/core)`);
  return { driverClass: value, origin };
}

/** Whether `type` uses the file or npm syntax rather than a reference dotted name. */
export function isModuleReference(type: string): boolean {
  return type.startsWith("npm:") || type.startsWith("file:") || type.startsWith("./") || type.startsWith("../") || isAbsolute(type);
}

/** Resolves `type` for a config file in `configDir`. */
export async function resolveDriverType(type: string, configDir: string): Promise<ResolvedDriverType> {
  if (type.startsWith("npm:")) {
    const { module, exportName } = splitExport(type.slice(4));
    if (!exportName) throw new CliError(`'${type}' names no export: write npm:<package>#<ExportName>`);
    const parts = module.split("/");
    const packageName = module.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!;
    const subpath = module.slice(packageName.length) ? `.${module.slice(packageName.length)}` : ".";
    const dir = findPackageDir(packageName, [configDir, process.cwd()]) ?? findPackageDir(packageName, [fileURLToPath(new URL("../..", import.meta.url))]);
    if (!dir) throw new CliError(`Driver '${type}' is not installed: npm package ${packageName} was not found (run npm install ${packageName})`);
    const file = resolvePackageExport(dir, subpath);
    if (!file) throw new CliError(`Driver '${type}': package ${packageName} does not export ${subpath}`);
    return checkClass(await importExport(file, exportName, `Driver '${type}'`), type, packageName);
  }
  if (isModuleReference(type)) {
    const { module, exportName } = splitExport(type);
    const file = module.startsWith("file:") ? fileURLToPath(module) : resolve(configDir, module);
    if (!existsSync(file)) throw new CliError(`Driver '${type}': file ${file} does not exist`);
    if (!exportName) throw new CliError(`'${type}' names no export: write ${module}#<ExportName>`);
    return checkClass(await importExport(file, exportName, `Driver '${type}'`), type, file);
  }
  const target = findManifestEntry("drivers", type, [configDir, process.cwd()]);
  if (!target) {
    throw new CliError(
      `Driver '${type}' is not installed: no installed package provides it (install the npm package that does, e.g. ${guessPackageName(type)})`,
    );
  }
  return checkClass(await importManifestTarget(target, `Driver '${type}'`), type, target.packageName);
}
