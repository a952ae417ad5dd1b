/**
 * @module
 * What the exporter host offers QEMU: executables on PATH, whether KVM can be used, and starting a process
 * that dies with the exporter (util-linux `setpriv --pdeathsig KILL`, so even a SIGKILLed exporter leaves no
 * VM behind).
 */
import { spawn } from "node:child_process";
import type { ChildProcessByStdio } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";
import type { Readable } from "node:stream";

/** The absolute path of `name` on `PATH`, or undefined. */
export function findExecutable(name: string, path: string = process.env["PATH"] ?? ""): string | undefined {
  if (isAbsolute(name)) return isExecutable(name) ? name : undefined;
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether KVM can run a guest of `arch` here: same architecture as the host, /dev/kvm readable and writable,
 * and the CPU advertises virtualization extensions (a /dev/kvm node without them hangs guests).
 */
export function kvmUsable(arch: string, hostArch: string): boolean {
  if (arch !== hostArch) return false;
  try {
    accessSync("/dev/kvm", constants.R_OK | constants.W_OK);
  } catch {
    return false;
  }
  if (arch !== "x86_64" && arch !== "i386") return true;
  try {
    return /^flags\s*:.*\b(vmx|svm)\b/m.test(readFileSync("/proc/cpuinfo", "utf8"));
  } catch {
    return false;
  }
}

/** Keeps the last `limit` characters of a stream as text, for error messages. */
export class OutputTail {
  readonly #limit: number;
  #text = "";

  constructor(stream: Readable, limit = 8192) {
    this.#limit = limit;
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      this.#text = (this.#text + chunk).slice(-this.#limit);
    });
  }

  /** The last `lines` non-empty lines. */
  lines(lines = 20): string[] {
    return this.#text.split(/\r?\n/).filter((line) => line.trim().length > 0).slice(-lines);
  }
}

/** A process started by {@link spawnTied}. */
export type TiedProcess = ChildProcessByStdio<null, Readable, Readable>;

/**
 * Starts `binary args…` so that it is killed when this process dies, however it dies. Falls back to a plain
 * child (killed on close only) when setpriv is missing, and says so through `warn`.
 */
export function spawnTied(binary: string, args: readonly string[], options: { cwd: string; warn: (message: string) => void }): TiedProcess {
  const setpriv = findExecutable("setpriv");
  if (!setpriv) options.warn("setpriv (util-linux) not found: QEMU will not be killed if the exporter is killed");
  const [command, argv] = setpriv ? [setpriv, ["--pdeathsig", "KILL", "--", binary, ...args]] : [binary, [...args]];
  return spawn(command, argv, { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
}
