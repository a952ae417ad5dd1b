/**
 * @module
 * Builds the driver tree of an ExporterConfig: a root `Composite` (described by the config's `description`)
 * over the `export:` entries in config order, proxies bound once the tree exists. Every problem is one
 * {@link ConfigError} naming the entry, and drivers already built are closed before it is thrown.
 */
import type { Driver, DriverOptions } from "@jumpstarter/core";
import { bindProxies, Composite, Proxy } from "@jumpstarter/driver-composite/driver";
import type { DriverEntryConfig } from "../config/driver-entry.js";
import type { ExporterConfig } from "../config/exporter-config.js";
import { issuesToError } from "../config/issues.js";
import type { SchemaIssue } from "../config/issues.js";
import type { YamlSource } from "../config/yaml-source.js";
import { formatKeyPath } from "../config/yaml-source.js";
import { ConfigError } from "../errors.js";
import { nameCloseErrors } from "./close-failure.js";
import type { ResolvedDriverType } from "./driver-types.js";
import { resolveDriverType } from "./driver-types.js";

/** What {@link buildDriverTree} needs. */
export interface TreeSource {
  readonly config: ExporterConfig;
  readonly source: YamlSource;
  /** Directory relative `type:` paths resolve against. */
  readonly directory: string;
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError) return error.errors.map(messageOf).join("; ");
  return error instanceof Error ? error.message : String(error);
}

function errorAt(source: YamlSource, path: readonly PropertyKey[], detail: string, cause?: unknown): ConfigError {
  const line = source.line(path, true);
  return new ConfigError(
    { file: source.file, ...(line !== undefined ? { line } : {}), path: formatKeyPath(path) },
    detail,
    cause !== undefined ? { cause } : undefined,
  );
}

/** Resolves every `type:` of the tree first, so nothing is constructed when one is missing. */
async function resolveTypes(entries: Iterable<DriverEntryConfig>, tree: TreeSource, out: Map<DriverEntryConfig, ResolvedDriverType>): Promise<void> {
  for (const entry of entries) {
    if (entry.kind === "driver") {
      try {
        out.set(entry, await resolveDriverType(entry.type, tree.directory));
      } catch (error) {
        throw errorAt(tree.source, [...entry.path, "type"], messageOf(error), error);
      }
    }
    if (entry.kind !== "proxy") await resolveTypes(Object.values(entry.children), tree, out);
  }
}

/** Closes `drivers` newest first; returns the errors. */
export async function closeAll(drivers: readonly Driver[]): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const driver of [...drivers].reverse()) {
    try {
      await driver.close();
    } catch (error) {
      errors.push(error);
    }
  }
  return errors;
}

/** Builds the tree. The root is a Composite; call `root.close()` to release every driver. */
export async function buildDriverTree(tree: TreeSource): Promise<Driver> {
  const types = new Map<DriverEntryConfig, ResolvedDriverType>();
  await resolveTypes(Object.values(tree.config.export), tree, types);
  // Drivers not yet handed to a parent; closing them closes everything built so far exactly once.
  const orphans = new Set<Driver>();
  const adopt = (driver: Driver, children: Record<string, Driver>): Driver => {
    for (const child of Object.values(children)) orphans.delete(child);
    orphans.add(driver);
    return driver;
  };

  const construct = (entry: DriverEntryConfig): Driver => {
    if (entry.kind === "proxy") {
      return adopt(new Proxy({ ref: entry.ref }, {}), {});
    }
    const children: Record<string, Driver> = {};
    for (const [name, child] of Object.entries(entry.children)) children[name] = construct(child);
    if (entry.kind === "composite") {
      return adopt(new Composite({}, { children }), children);
    }
    const { driverClass } = types.get(entry)!;
    let config: Record<string, unknown> = { ...entry.config };
    if (driverClass.configSchema) {
      const checked = driverClass.configSchema.safeParse(config);
      if (!checked.success) throw issuesToError(tree.source, checked.error.issues as readonly SchemaIssue[], [...entry.path, "config"]);
      config = checked.data;
    }
    const options: DriverOptions = {
      children,
      ...(entry.description !== undefined ? { description: entry.description } : {}),
      methodsDescription: entry.methodsDescription,
    };
    let driver: Driver;
    try {
      driver = new driverClass(config, options);
    } catch (error) {
      throw errorAt(tree.source, entry.path, `${driverClass.name} failed to start: ${messageOf(error)}`, error);
    }
    nameCloseErrors(driver, formatKeyPath(entry.path), driverClass.name);
    return adopt(driver, children);
  };

  try {
    const children: Record<string, Driver> = {};
    for (const [name, entry] of Object.entries(tree.config.export)) children[name] = construct(entry);
    const root = adopt(
      new Composite({}, { children, ...(tree.config.description !== undefined ? { description: tree.config.description } : {}) }),
      children,
    );
    bindTreeProxies(root, tree);
    return root;
  } catch (error) {
    await closeAll([...orphans]);
    throw error;
  }
}

function bindTreeProxies(root: Driver, tree: TreeSource): void {
  try {
    bindProxies(root);
  } catch (error) {
    const match = /^Proxy driver (\S+)/.exec(messageOf(error));
    const path = match ? ["export", ...match[1]!.split(".").flatMap((name, index) => (index === 0 ? [name] : ["children", name])), "ref"] : ["export"];
    throw errorAt(tree.source, path, messageOf(error), error);
  }
}
