/**
 * @module
 * Finding installed packages and the files their `exports` point at, without importing them.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/** A package.json as far as we read it. */
export interface PackageJson {
  readonly name?: string;
  readonly version?: string;
  readonly main?: string;
  readonly exports?: unknown;
  readonly jumpstarter?: unknown;
}

/** Reads and parses `dir/package.json`; undefined when missing or unreadable. */
export function readPackageJson(dir: string): PackageJson | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as PackageJson) : undefined;
  } catch {
    return undefined;
  }
}

/** Every `node_modules` directory Node would search from `start` upwards. */
export function nodeModulesDirs(start: string): string[] {
  const dirs: string[] = [];
  let dir = resolve(start);
  for (;;) {
    if (!dir.endsWith("/node_modules")) dirs.push(join(dir, "node_modules"));
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs.filter((candidate) => existsSync(candidate));
}

/** Directory of package `name` as seen from any of `bases`, searched in order. */
export function findPackageDir(name: string, bases: readonly string[]): string | undefined {
  for (const base of bases) {
    for (const modules of nodeModulesDirs(base)) {
      const dir = join(modules, name);
      if (existsSync(join(dir, "package.json"))) return dir;
    }
  }
  return undefined;
}

const conditions = ["import", "node", "default"];

function pickTarget(target: unknown): string | undefined {
  if (typeof target === "string") return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const picked = pickTarget(item);
      if (picked) return picked;
    }
    return undefined;
  }
  if (typeof target === "object" && target !== null) {
    for (const [condition, value] of Object.entries(target)) {
      if (conditions.includes(condition)) {
        const picked = pickTarget(value);
        if (picked) return picked;
      }
    }
  }
  return undefined;
}

/**
 * The file `subpath` (`.` or `./driver`) of the package in `dir` resolves to, following `exports` (with `*`
 * patterns) or `main`.
 */
export function resolvePackageExport(dir: string, subpath: string): string | undefined {
  const pkg = readPackageJson(dir);
  if (!pkg) return undefined;
  const exportsField = pkg.exports;
  if (exportsField === undefined) {
    if (subpath === ".") return join(dir, pkg.main ?? "index.js");
    const direct = join(dir, subpath);
    return existsSync(direct) ? direct : existsSync(`${direct}.js`) ? `${direct}.js` : undefined;
  }
  const map: Record<string, unknown> =
    typeof exportsField === "string" || Array.isArray(exportsField) || !Object.keys(exportsField as object).some((key) => key.startsWith("."))
      ? { ".": exportsField }
      : (exportsField as Record<string, unknown>);
  // Manifests name the main entry `./index` (docs/driver-packages.md).
  if (subpath === "./index" && !(subpath in map) && "." in map) subpath = ".";
  if (subpath in map) {
    const target = pickTarget(map[subpath]);
    return target ? join(dir, target) : undefined;
  }
  for (const [pattern, value] of Object.entries(map)) {
    const star = pattern.indexOf("*");
    if (star < 0) continue;
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= prefix.length + suffix.length) {
      const middle = subpath.slice(prefix.length, subpath.length - suffix.length);
      const target = pickTarget(value);
      return target ? join(dir, target.replaceAll("*", middle)) : undefined;
    }
  }
  return undefined;
}
