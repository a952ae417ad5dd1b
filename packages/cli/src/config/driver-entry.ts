/**
 * @module
 * The three shapes of an `export:` entry (spec exporter §1): a driver (`type` + `config`, `children`,
 * `description`, `methods_description`), a composite (`children` only) and a proxy (`ref`).
 */
import type { SchemaIssue } from "./issues.js";

/** A driver entry: instantiate `type` with `config`. */
export interface BaseEntryConfig {
  readonly kind: "driver";
  readonly type: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly description?: string;
  readonly methodsDescription: Readonly<Record<string, string>>;
  readonly children: Readonly<Record<string, DriverEntryConfig>>;
  /** Key path of this entry in the file, e.g. `["export", "power"]`. */
  readonly path: readonly string[];
}

/** A composite entry: a group of children. */
export interface CompositeEntryConfig {
  readonly kind: "composite";
  readonly children: Readonly<Record<string, DriverEntryConfig>>;
  readonly path: readonly string[];
}

/** A proxy entry: another driver of the tree, by dotted path from the root. */
export interface ProxyEntryConfig {
  readonly kind: "proxy";
  readonly ref: string;
  readonly path: readonly string[];
}

/** One `export:` entry. */
export type DriverEntryConfig = BaseEntryConfig | CompositeEntryConfig | ProxyEntryConfig;

const baseKeys = ["type", "config", "children", "description", "methods_description"];

type Validated<T> = { success: true; entries: T } | { success: false; issues: SchemaIssue[] };

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function issue(path: readonly PropertyKey[], message: string, extra: Partial<SchemaIssue> = {}): SchemaIssue {
  return { path, message, code: "custom", ...extra };
}

function stringMap(value: unknown, path: readonly string[], issues: SchemaIssue[]): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    issues.push(issue(path, "expected a mapping", { code: "invalid_type", expected: "object" }));
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, text] of Object.entries(value)) {
    if (typeof text === "string") out[key] = text;
    else issues.push(issue([...path, key], "expected a string", { code: "invalid_type", expected: "string" }));
  }
  return out;
}

function unknownKeys(value: Record<string, unknown>, allowed: readonly string[], path: readonly string[], shape: string, issues: SchemaIssue[]): void {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  if (unknown.length === 0) return;
  issues.push(
    issue(path, `unknown key ${unknown.map((key) => JSON.stringify(key)).join(", ")} in a ${shape} entry (allowed: ${allowed.join(", ")})`, {
      code: "custom_unknown_key",
      keys: unknown,
    }),
  );
}

function entry(value: unknown, path: readonly string[], issues: SchemaIssue[]): DriverEntryConfig {
  if (value === null || value === undefined) return { kind: "composite", children: {}, path };
  if (!isMapping(value)) {
    issues.push(issue(path, "expected a mapping with type:, children: or ref:", { code: "invalid_type" }));
    return { kind: "composite", children: {}, path };
  }
  if ("ref" in value && !("type" in value)) {
    unknownKeys(value, ["ref"], path, "proxy", issues);
    if (typeof value["ref"] !== "string" || value["ref"] === "") {
      issues.push(issue([...path, "ref"], "expected a dotted path of driver names, e.g. power or group.power"));
    }
    return { kind: "proxy", ref: String(value["ref"]), path };
  }
  if ("type" in value) {
    unknownKeys(value, baseKeys, path, "driver", issues);
    const type = value["type"];
    if (typeof type !== "string" || type.trim() === "") issues.push(issue([...path, "type"], "expected a driver type name"));
    const config = value["config"] ?? {};
    if (!isMapping(config)) issues.push(issue([...path, "config"], "expected a mapping", { code: "invalid_type", expected: "object" }));
    const description = value["description"];
    if (description !== undefined && description !== null && typeof description !== "string") {
      issues.push(issue([...path, "description"], "expected a string"));
    }
    return {
      kind: "driver",
      type: String(type),
      config: isMapping(config) ? config : {},
      ...(typeof description === "string" ? { description } : {}),
      methodsDescription: stringMap(value["methods_description"], [...path, "methods_description"], issues),
      children: children(value["children"], [...path, "children"], issues),
      path,
    };
  }
  unknownKeys(value, ["children"], path, "composite", issues);
  return { kind: "composite", children: children(value["children"], [...path, "children"], issues), path };
}

function children(value: unknown, path: readonly string[], issues: SchemaIssue[]): Record<string, DriverEntryConfig> {
  if (value === undefined || value === null) return {};
  if (!isMapping(value)) {
    issues.push(issue(path, "expected a mapping of driver names to entries", { code: "invalid_type" }));
    return {};
  }
  const out: Record<string, DriverEntryConfig> = {};
  for (const [name, child] of Object.entries(value)) out[name] = entry(child, [...path, name], issues);
  return out;
}

/** Validates the `export:` map (found at `path`). */
export function validateExport(value: Record<string, unknown>, path: readonly string[]): Validated<Record<string, DriverEntryConfig>> {
  const issues: SchemaIssue[] = [];
  const out: Record<string, DriverEntryConfig> = {};
  for (const [name, child] of Object.entries(value)) out[name] = entry(child, [...path, name], issues);
  return issues.length > 0 ? { success: false, issues } : { success: true, entries: out };
}
