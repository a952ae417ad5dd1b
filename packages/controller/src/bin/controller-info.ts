/**
 * @module
 * `controller.json` in the state directory: what a running controller advertises (endpoint, namespace, CA
 * bundle), so `jmp admin` can write configs that reach it.
 */
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";

/** Contents of `controller.json`. */
export interface ControllerInfo {
  /** Advertised `host:port` of the controller. */
  readonly endpoint: string;
  readonly namespace: string;
  /** PEM CA bundle of the controller's TLS certificate ("" for a plaintext controller). */
  readonly ca: string;
}

const schema = z.object({ endpoint: z.string(), namespace: z.string(), ca: z.string() });

/** The file name of the controller info in a state directory. */
export function controllerInfoPath(stateDir: string): string {
  return join(stateDir, "controller.json");
}

/** Writes `controller.json` atomically. */
export async function writeControllerInfo(stateDir: string, info: ControllerInfo): Promise<void> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const path = controllerInfoPath(stateDir);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, path);
}

/** Reads `controller.json`; undefined when the controller never ran with this state directory. */
export async function readControllerInfo(stateDir: string): Promise<ControllerInfo | undefined> {
  let text: string;
  try {
    text = await readFile(controllerInfoPath(stateDir), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return schema.parse(JSON.parse(text));
}
