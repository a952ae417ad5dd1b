/**
 * @module
 * The private directory of one jmp session: `$XDG_RUNTIME_DIR` (or the system temp dir) `/jumpstarter-XXXX/`,
 * holding the unix socket and a `bin/` with `j` and `jmp` wrappers for the child shell's PATH.
 */
import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A session directory; `remove()` deletes it and everything in it. */
export interface RuntimeDir {
  readonly path: string;
  /** `<path>/socket`. */
  readonly socket: string;
  /** `<path>/bin`, holding `j` and `jmp`. */
  readonly bin: string;
  remove(): Promise<void>;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Creates a fresh session directory with `j`/`jmp` wrappers running this installation's binaries. */
export async function createRuntimeDir(env: NodeJS.ProcessEnv = process.env): Promise<RuntimeDir> {
  const path = await mkdtemp(join(env["XDG_RUNTIME_DIR"] || tmpdir(), "jumpstarter-"));
  const bin = join(path, "bin");
  await mkdir(bin);
  for (const name of ["j", "jmp"]) {
    const target = fileURLToPath(new URL(`../bin/${name}.js`, import.meta.url));
    const wrapper = join(bin, name);
    await writeFile(wrapper, `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(target)} "$@"\n`);
    await chmod(wrapper, 0o755);
  }
  let removed: Promise<void> | undefined;
  return { path, socket: join(path, "socket"), bin, remove: () => (removed ??= rm(path, { recursive: true, force: true })) };
}
