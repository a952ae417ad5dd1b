/**
 * @module
 * The root disk image: its format (from its header, so no external tool is needed to boot), its virtual
 * size, and growing it before boot. Shrinking is refused: it would cut off the guest's filesystems.
 */
import { execFile } from "node:child_process";
import { open, stat, statfs, truncate } from "node:fs/promises";
import { promisify } from "node:util";
import { Code, InvalidArgumentError, JumpstarterError } from "@jumpstarter/core";
import { findExecutable } from "./host.js";
import { formatSize } from "./size.js";

const run = promisify(execFile);

/** Image formats QEMU is told about explicitly. */
export type DiskFormat = "raw" | "qcow2" | "qcow" | "vmdk";

/** What the header of an image says. */
export interface DiskInfo {
  readonly format: DiskFormat;
  /** Size the guest sees, in bytes. */
  readonly virtualSize: number;
}

/** Reads the format and virtual size of the image at `path`. */
export async function inspectDisk(path: string): Promise<DiskInfo> {
  const file = await open(path, "r");
  try {
    const header = Buffer.alloc(32);
    const { bytesRead } = await file.read(header, 0, header.length, 0);
    const size = (await file.stat()).size;
    if (bytesRead >= 32 && header.readUInt32BE(0) === 0x514649fb) {
      const version = header.readUInt32BE(4);
      return { format: version === 1 ? "qcow" : "qcow2", virtualSize: Number(header.readBigUInt64BE(24)) };
    }
    if (bytesRead >= 4 && header.toString("latin1", 0, 4) === "KDMV") {
      return { format: "vmdk", virtualSize: (await qemuImgInfo(path))?.virtualSize ?? size };
    }
    return { format: "raw", virtualSize: size };
  } finally {
    await file.close();
  }
}

async function qemuImgInfo(path: string): Promise<{ virtualSize: number } | undefined> {
  const qemuImg = findExecutable("qemu-img");
  if (!qemuImg) return undefined;
  try {
    const { stdout } = await run(qemuImg, ["info", "--output=json", path]);
    const info = JSON.parse(stdout) as { "virtual-size"?: number };
    return typeof info["virtual-size"] === "number" ? { virtualSize: info["virtual-size"] } : undefined;
  } catch {
    return undefined;
  }
}

/** A precondition failure: the request is fine, the state of the machine is not. */
export function preconditionError(message: string): JumpstarterError {
  return new JumpstarterError(message, Code.FAILED_PRECONDITION);
}

/** Refuses a `requested` size below the disk's current size. */
export function checkNoShrink(info: DiskInfo, requested: number, requestedText: string): void {
  if (requested < info.virtualSize) {
    throw new InvalidArgumentError(
      `Shrinking disk is not supported: current ${formatSize(info.virtualSize)}, requested ${requestedText} (${formatSize(requested)})`,
    );
  }
}

/** Grows the image at `path` to `requested` bytes (raw: sparse truncate; others: `qemu-img resize`). */
export async function growDisk(path: string, info: DiskInfo, requested: number): Promise<void> {
  if (requested <= info.virtualSize) return;
  const free = await statfs(path).then((fs) => fs.bavail * fs.bsize);
  const needed = info.format === "raw" ? requested - (await stat(path)).size : 0;
  if (needed > free) {
    throw preconditionError(`Not enough disk space: need ${formatSize(needed)}, only ${formatSize(free)} available`);
  }
  if (info.format === "raw") {
    await truncate(path, requested);
    return;
  }
  const qemuImg = findExecutable("qemu-img");
  if (!qemuImg) throw preconditionError(`resizing a ${info.format} image needs qemu-img (apt-get install qemu-utils)`);
  try {
    await run(qemuImg, ["resize", "-f", info.format, path, String(requested)]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? String(error);
    throw new JumpstarterError(`Failed to resize disk: ${stderr.trim()}`, Code.INTERNAL);
  }
}
