/**
 * @module
 * `j` commands of the QEMU clients: `resize disk|memory SIZE` on the composite (its children bring their own
 * commands), and `flash` / `dump` with a progress bar on the flasher.
 */
import { basename } from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { InvalidArgumentError as CliArgumentError } from "commander";
import { isContentEncoding } from "@jumpstarter/core";
import type { ContentEncoding } from "@jumpstarter/core";
import type { ProgressListener, QemuClient, QemuFlasherClient } from "./client.js";
import { formatSize } from "./size.js";

/** Adds `resize disk SIZE` and `resize memory SIZE` to the QEMU group. */
export function qemuCommands(group: Command, client: QemuClient): void {
  const write = writerOf(group);
  const resize = group.command("resize").description("Resize QEMU resources");
  resize
    .command("disk")
    .description("Resize the root disk (e.g., 20G). Run before power on.")
    .argument("<size>")
    .action(async (size: string) => {
      await client.setDiskSize(size);
      write(`Disk will be resized to ${size} on next power on\n`);
    });
  resize
    .command("memory")
    .description("Set memory size (e.g., 2G, 4G). Takes effect on next boot.")
    .argument("<size>")
    .action(async (size: string) => {
      await client.setMemorySize(size);
      write(`Memory will be set to ${size} on next power on\n`);
    });
}

/** Adds `flash [FILE] [-t NAME:FILE…]` and `dump FILE [--target NAME]` to the flasher group. */
export function qemuFlasherCommands(group: Command, client: QemuFlasherClient): void {
  group
    .command("flash")
    .description("Flash an image (file, http(s) URL) to the VM; compressed images are decompressed on the exporter")
    .argument("[file]", "image to flash to the root disk")
    .option("-t, --target <name:file>", "flash FILE to image NAME (root, kernel, initrd, bios, …); repeatable", collect, [])
    .option("--compression <format>", "the file is compressed with FORMAT (gzip, zstd, xz, bz2)", parseCompression)
    .action(async (file: string | undefined, options: { target: string[]; compression?: ContentEncoding }) => {
      const jobs: Array<[target: string | null, file: string]> = options.target.map((spec) => {
        const colon = spec.indexOf(":");
        if (colon <= 0) throw new CliArgumentError(`Invalid target spec '${spec}', expected name:file`);
        return [spec.slice(0, colon), spec.slice(colon + 1)];
      });
      if (jobs.length === 0) {
        if (file === undefined) throw new CliArgumentError("FILE argument is required unless --target/-t is used");
        jobs.push([null, file]);
      }
      for (const [target, path] of jobs) {
        await withProgress(`${basename(path)} → ${target ?? "root"}`, (onProgress) =>
          client.flash(path, { target, ...(options.compression ? { compression: options.compression } : {}), onProgress }),
        );
      }
    });
  group
    .command("dump")
    .description("Dump an image of the VM to a file")
    .argument("<file>")
    .option("--target <name>", "image to dump (default root)")
    .option("--compression <format>", "compress the dump with FORMAT (gzip, zstd)", parseCompression)
    .action(async (file: string, options: { target?: string; compression?: ContentEncoding }) => {
      await withProgress(`${options.target ?? "root"} → ${basename(file)}`, (onProgress) =>
        client.dump(file, { target: options.target ?? null, ...(options.compression ? { compression: options.compression } : {}), onProgress }),
      );
    });
}

/** Runs a transfer with a progress bar on a terminal, or one summary line otherwise (on stderr). */
async function withProgress(label: string, transfer: (onProgress: ProgressListener) => Promise<void>): Promise<void> {
  const interactive = process.stderr.isTTY === true && (process.stderr.columns ?? 0) > 0;
  let bar: SingleBar | undefined;
  let last = 0;
  const onProgress: ProgressListener = (bytes, total) => {
    last = bytes;
    if (!interactive) return;
    if (!bar) {
      bar = new SingleBar({ format: `${label} [{bar}] {percentage}% {done}`, stream: process.stderr, hideCursor: true, noTTYOutput: false }, undefined);
      bar.start(total ?? 0, 0, { done: formatSize(0) });
    }
    if (total === undefined) bar.setTotal(bytes);
    bar.update(bytes, { done: formatSize(bytes) });
  };
  try {
    await transfer(onProgress);
  } finally {
    bar?.stop();
  }
  if (!interactive) process.stderr.write(`${label}: ${formatSize(last)} done\n`);
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function parseCompression(value: string): ContentEncoding {
  const normalized = value.toLowerCase();
  if (!isContentEncoding(normalized)) throw new CliArgumentError("expected one of gzip, zstd, xz, bz2");
  return normalized;
}

function writerOf(group: Command): (text: string) => void {
  return (text) => {
    const writeOut = group.configureOutput().writeOut;
    if (writeOut) writeOut(text);
    else process.stdout.write(text);
  };
}
