/**
 * @module
 * The `jumpstarter` manifests of installed packages (docs/driver-packages.md): which package provides which
 * driver, client and `j` commands, keyed by the reference's Python dotted names. Scanning is cheap: first
 * only `@jumpstarter/*`, and every other package only when a name is still missing. Results are cached per
 * process.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeModulesDirs, readPackageJson } from "./package-resolve.js";

/** Where one manifest entry points: `<package>/<subpath>#<export>`. */
export interface ManifestTarget {
  readonly packageName: string;
  readonly packageDir: string;
  /** Export subpath, `.` or `./driver`. */
  readonly subpath: string;
  readonly exportName: string;
}

/** The three manifest sections. */
export type ManifestSection = "drivers" | "clients" | "commands";

/** Manifest entries by section and dotted name (first package found wins). */
export type ManifestIndex = Readonly<Record<ManifestSection, ReadonlyMap<string, ManifestTarget>>>;

/** Directory of this CLI package (its own node_modules chain is always searched). */
export const CLI_PACKAGE_DIR: string = fileURLToPath(new URL("../..", import.meta.url));

const sections: readonly ManifestSection[] = ["drivers", "clients", "commands"];

function parseTarget(packageName: string, packageDir: string, value: unknown): ManifestTarget | undefined {
  if (typeof value !== "string") return undefined;
  const hash = value.lastIndexOf("#");
  if (hash <= 0) return undefined;
  const rawSubpath = value.slice(0, hash);
  const subpath = rawSubpath === "." || rawSubpath === "./" ? "." : rawSubpath.startsWith("./") ? rawSubpath : `./${rawSubpath}`;
  return { packageName, packageDir, subpath, exportName: value.slice(hash + 1) };
}

function addPackage(dir: string, index: Record<ManifestSection, Map<string, ManifestTarget>>, seen: Set<string>): void {
  const pkg = readPackageJson(dir);
  if (!pkg?.name || seen.has(pkg.name)) return;
  const manifest = pkg.jumpstarter;
  if (typeof manifest !== "object" || manifest === null) return;
  seen.add(pkg.name);
  for (const section of sections) {
    const entries = (manifest as Record<string, unknown>)[section];
    if (typeof entries !== "object" || entries === null) continue;
    for (const [name, value] of Object.entries(entries)) {
      const target = parseTarget(pkg.name, dir, value);
      if (target && !index[section].has(name)) index[section].set(name, target);
    }
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function scan(modulesDirs: readonly string[], everything: boolean): ManifestIndex {
  const index = { drivers: new Map(), clients: new Map(), commands: new Map() } as Record<ManifestSection, Map<string, ManifestTarget>>;
  const seen = new Set<string>();
  for (const modules of modulesDirs) {
    for (const name of listDir(join(modules, "@jumpstarter"))) addPackage(join(modules, "@jumpstarter", name), index, seen);
  }
  if (everything) {
    for (const modules of modulesDirs) {
      for (const name of listDir(modules)) {
        if (name.startsWith(".") || name === "@jumpstarter") continue;
        if (name.startsWith("@")) {
          for (const scoped of listDir(join(modules, name))) addPackage(join(modules, name, scoped), index, seen);
        } else addPackage(join(modules, name), index, seen);
      }
    }
  }
  return index;
}

const cache = new Map<string, ManifestIndex>();

/** Options of {@link manifestIndex}. */
export interface ManifestScanOptions {
  /** Extra directories whose node_modules chains are searched first (e.g. the exporter config's). */
  readonly bases?: readonly string[];
  /** Read every package, not only `@jumpstarter/*`. */
  readonly everything?: boolean;
}

/** The manifest index of the packages visible from `bases` and from this CLI. */
export function manifestIndex(options: ManifestScanOptions = {}): ManifestIndex {
  const dirs = [...new Set([...(options.bases ?? []), CLI_PACKAGE_DIR].flatMap((base) => nodeModulesDirs(base)))];
  const key = `${options.everything ? "all" : "scope"}\0${dirs.join("\0")}`;
  let index = cache.get(key);
  if (!index) {
    index = scan(dirs, options.everything ?? false);
    cache.set(key, index);
  }
  return index;
}

/** Looks `name` up in `section`: `@jumpstarter/*` first, then every package. */
export function findManifestEntry(section: ManifestSection, name: string, bases: readonly string[] = []): ManifestTarget | undefined {
  return manifestIndex({ bases })[section].get(name) ?? manifestIndex({ bases, everything: true })[section].get(name);
}
