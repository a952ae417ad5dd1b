/**
 * @module
 * `j` commands of the QEMU clients: `resize disk|memory SIZE` on the composite (its children bring their own
 * commands), and the storage flasher's `flash` / `dump` (with progress) on the flasher.
 */
import { commandOutput } from "@jumpstarter/core";
import type { Command } from "commander";
import { flasherCommands } from "@jumpstarter/driver-storage/cli";
import type { QemuClient, QemuFlasherClient } from "./client.js";

/** Adds `resize disk SIZE` and `resize memory SIZE` to the QEMU group. */
export function qemuCommands(group: Command, client: QemuClient): void {
  const write = commandOutput(group).out;
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

/** The flasher's commands are the storage flasher's: `flash FILE|URL [-t TARGET]`, `dump FILE [-t TARGET]`. */
export function qemuFlasherCommands(group: Command, client: QemuFlasherClient): void {
  flasherCommands(group, client);
}
