/**
 * @module
 * Test helpers around the demo board: building it (scripts/demo-board/build.sh), checking that QEMU is
 * installed (tests fail, never skip, when it is not), finding QEMU processes by guest name, and writing
 * initramfs overlays (newc cpio archives, which the kernel unpacks one after another).
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { findExecutable } from "../host.js";

/** The repository root (this file is packages/drivers/qemu/dist/test-support/board.js). */
export const REPO_ROOT = fileURLToPath(new URL("../../../../../", import.meta.url));

/** Files of the demo board. */
export interface Board {
  readonly kernel: string;
  readonly initrd: string;
  readonly disk: string;
}

let built: Board | undefined;

/** Builds the demo board if needed (cached under build/demo-board) and returns its files. */
export function demoBoard(): Board {
  if (built) return built;
  const qemu = findExecutable("qemu-system-x86_64");
  if (!qemu) throw new Error("qemu-system-x86_64 is not installed; the QEMU tests need it: apt-get install qemu-system-x86");
  const result = spawnSync("bash", [join(REPO_ROOT, "scripts/demo-board/build.sh")], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`scripts/demo-board/build.sh failed (exit ${result.status}):\n${result.stderr}`);
  const out = join(REPO_ROOT, "build/demo-board");
  built = { kernel: join(out, "vmlinuz"), initrd: join(out, "initramfs.cpio.gz"), disk: join(out, "disk.img") };
  return built;
}

/** The shell prompt of the demo board for host name `name`. */
export function promptOf(name: string): RegExp {
  return new RegExp(`root@${name}:[^#\\r\\n]*# `);
}

/** Pids of running QEMU processes started for guest `name` (`-name guest=NAME`). */
export function qemuPids(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (/qemu-system-/.test(argv[0] ?? "") && argv.includes(`guest=${name}`) && !isZombie(entry)) pids.push(Number(entry));
  }
  return pids;
}

function isZombie(pid: string): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return true;
  }
}

/** Waits until no QEMU process of guest `name` is left; fails listing the survivors. */
export async function waitNoQemu(name: string, ms = 30_000): Promise<void> {
  const started = Date.now();
  while (qemuPids(name).length > 0) {
    if (Date.now() - started > ms) throw new Error(`QEMU processes of guest ${name} are still running: ${qemuPids(name).join(", ")}`);
    await sleep(50);
  }
}

/** A file of a cpio archive. */
export interface CpioFile {
  readonly path: string;
  readonly data?: string | Buffer;
  /** Directories have no data; mode bits without the file type. */
  readonly directory?: boolean;
  readonly mode?: number;
}

/** A newc ("070701") cpio archive of `files`, ending with the trailer. */
export function cpioNewc(files: readonly CpioFile[]): Buffer {
  const parts: Buffer[] = [];
  let inode = 1000;
  const entry = (name: string, mode: number, data: Buffer) => {
    const fields = [inode++, mode, 0, 0, 1, 0, data.length, 0, 0, 0, 0, name.length + 1, 0];
    const header = `070701${fields.map((value) => value.toString(16).padStart(8, "0")).join("")}`;
    const head = Buffer.concat([Buffer.from(header, "latin1"), Buffer.from(`${name}\0`, "latin1")]);
    parts.push(head, Buffer.alloc((4 - (head.length % 4)) % 4), data, Buffer.alloc((4 - (data.length % 4)) % 4));
  };
  for (const file of files) {
    const data = file.directory ? Buffer.alloc(0) : Buffer.from(file.data ?? "");
    entry(file.path.replace(/^\/+/, ""), (file.directory ? 0o040000 : 0o100000) | (file.mode ?? (file.directory ? 0o755 : 0o644)), data);
  }
  entry("TRAILER!!!", 0, Buffer.alloc(0));
  return Buffer.concat(parts);
}
