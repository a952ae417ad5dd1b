/**
 * @module
 * `j <storage>` commands: `flash FILE|URL [--target T]`, `dump FILE [--target T]` with progress, and
 * `host` / `dut` / `off` for storage muxes.
 */
import { Option } from "commander";
import type { Command } from "commander";
import type { ContentEncoding } from "@jumpstarter/core";
import type { ImageTransfers, StorageMuxClient, StorageMuxFlasherClient } from "./client.js";
import type { FlasherClient } from "./client.js";
import { isHttpUrl } from "./image-io.js";
import type { TransferOptions } from "./image-io.js";
import type { ProgressOptions } from "./progress.js";
import { createProgress } from "./progress.js";

/** Where progress goes (stderr unless a test says otherwise). */
export interface StorageCommandOptions {
  readonly progress?: Omit<ProgressOptions, "label">;
}

const compressionOption = () =>
  new Option("--compression <encoding>", "compression of the image (detected from the file when omitted)").choices(["gzip", "zstd", "xz", "bz2"]);

/** Adds `flash` and `dump` to `group` (the `j` group named after the driver). */
export function flasherCommands(group: Command, client: FlasherClient, options: StorageCommandOptions = {}): void {
  addTransferCommands(group, client, options, true);
}

/** Adds `host`, `dut` and `off` to `group`. */
export function storageMuxCommands(group: Command, client: StorageMuxClient): void {
  group
    .command("host")
    .description("Connect the storage to the host")
    .action(async () => client.host());
  group
    .command("dut")
    .description("Connect the storage to the DUT")
    .action(async () => client.dut());
  group
    .command("off")
    .description("Disconnect the storage")
    .action(async () => client.off());
}

/** Adds `flash`, `dump`, `host`, `dut` and `off` to `group`. */
export function storageMuxFlasherCommands(group: Command, client: StorageMuxFlasherClient, options: StorageCommandOptions = {}): void {
  addTransferCommands(group, client, options, false);
  storageMuxCommands(group, client);
}

function addTransferCommands(group: Command, client: ImageTransfers, options: StorageCommandOptions, targets: boolean): void {
  const flash = group
    .command("flash")
    .description("Flash an image (local file or http(s) URL) to the DUT")
    .argument("<file>", "image file or http(s) URL");
  const dump = group.command("dump").description("Dump the DUT's storage to a local file").argument("<file>", "file to write");
  if (targets) {
    flash.option("-t, --target <name>", "target (partition) to flash; the driver's default when omitted");
    dump.option("-t, --target <name>", "target (partition) to dump; the driver's default when omitted");
  }
  flash.addOption(compressionOption()).action(async (file: string, flags: { target?: string; compression?: ContentEncoding }) => {
    await transfer("flash", file, flags, options, (transferOptions) => client.flash(file, transferOptions));
  });
  dump.addOption(compressionOption().choices(["gzip", "zstd"])).action(async (file: string, flags: { target?: string; compression?: ContentEncoding }) => {
    await transfer("dump", file, flags, options, (transferOptions) => client.dump(file, transferOptions));
  });
}

async function transfer(
  label: string,
  file: string,
  flags: { target?: string; compression?: ContentEncoding },
  options: StorageCommandOptions,
  run: (transferOptions: TransferOptions) => Promise<void>,
): Promise<void> {
  const stream = options.progress?.stream ?? process.stderr;
  const progress = createProgress({ label, ...options.progress, stream });
  if (isHttpUrl(file)) stream.write(`${label}: the exporter is downloading ${file}\n`);
  try {
    await run({
      ...(flags.target !== undefined ? { target: flags.target } : {}),
      ...(flags.compression !== undefined ? { compression: flags.compression } : {}),
      onProgress: (update) => progress.update(update),
    });
  } finally {
    progress.stop();
  }
}
