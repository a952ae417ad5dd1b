/**
 * @module
 * Importing what a manifest entry or a `type:` reference names.
 */
import { pathToFileURL } from "node:url";
import { CliError } from "../errors.js";
import type { ManifestTarget } from "./manifests.js";
import { resolvePackageExport } from "./package-resolve.js";

/** Imports the module file at `file` and returns export `exportName`. */
export async function importExport(file: string, exportName: string, what: string): Promise<unknown> {
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`${what} could not be loaded from ${file}: ${(error as Error).message ?? String(error)}`, 1, { cause: error });
  }
  if (!(exportName in module)) {
    const names = Object.keys(module).filter((name) => name !== "default");
    throw new CliError(`${what}: ${file} has no export named ${exportName} (it exports ${names.length ? names.join(", ") : "nothing"})`);
  }
  return module[exportName];
}

/** Imports the export a manifest entry points at. */
export async function importManifestTarget(target: ManifestTarget, what: string): Promise<unknown> {
  const file = resolvePackageExport(target.packageDir, target.subpath);
  if (!file) {
    throw new CliError(`${what}: package ${target.packageName} does not export ${target.subpath} (check its package.json "exports")`);
  }
  return importExport(file, target.exportName, what);
}
