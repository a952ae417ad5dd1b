/**
 * @module
 * `j` commands of power clients: `on`, `off`, `cycle [-w SECONDS]`, `read [-n COUNT] [-i SECONDS]`, and
 * `off [--destroy]` for virtual power. Output goes through the group's `configureOutput().writeOut`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { commandOutput } from "@jumpstarter/core";
import type { Command } from "commander";
import { InvalidArgumentError as CliArgumentError } from "commander";
import type { PowerClient, VirtualPowerClient } from "./client.js";
import type { PowerReading } from "./interface.js";
import { apparentPower } from "./reading.js";

/** Adds the power subcommands to `group`. */
export function powerCommands(group: Command, client: PowerClient): void {
  const write = commandOutput(group).out;
  group.command("on").description("Power on").action(async () => {
    await client.on();
  });
  group.command("off").description("Power off").action(async () => {
    await client.off();
  });
  group
    .command("cycle")
    .description("Power cycle")
    .option("-w, --wait <seconds>", "wait time in seconds between off and on", parseSeconds, 2)
    .action(async (options: { wait: number }) => {
      write(`Power cycling with ${options.wait} seconds wait time...\n`);
      await client.cycle(options.wait);
    });
  group
    .command("read")
    .description("Read power measurements")
    .option("-n, --count <count>", "number of readings (0 = infinite)", parseCount, 1)
    .option("-i, --interval <seconds>", "seconds between readings", parseSeconds, 1)
    .action(async (options: { count: number; interval: number }) => {
      for (let round = 1; options.count === 0 || round <= options.count; round++) {
        for await (const reading of client.read()) write(`${formatReading(reading)}\n`);
        if ((options.count === 0 || round < options.count) && options.interval > 0) await sleep(options.interval * 1000);
      }
    });
  applyMethodDescriptions(group, client);
}

/** Adds the power subcommands with `off [--destroy]` for virtual power. */
export function virtualPowerCommands(group: Command, client: VirtualPowerClient): void {
  powerCommands(group, client);
  const off = group.commands.find((command) => command.name() === "off");
  if (off) off.option("--destroy", "destroy the instance after powering it off", false).action(async (options: { destroy: boolean }) => {
    await client.off(options.destroy);
  });
}

/** One line per reading, numbers printed as Python prints floats. */
export function formatReading(reading: PowerReading): string {
  return `voltage=${pyFloat(reading.voltage)} V  current=${pyFloat(reading.current)} A  apparent_power=${pyFloat(apparentPower(reading))} VA`;
}

function pyFloat(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? value.toFixed(1) : String(value);
}

function parseSeconds(text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) throw new CliArgumentError("expected a non-negative number of seconds");
  return value;
}

function parseCount(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new CliArgumentError("expected a non-negative integer");
  return value;
}

/** `methods_description` entries replace the help of the matching subcommands. */
function applyMethodDescriptions(group: Command, client: PowerClient): void {
  for (const command of group.commands) {
    const help = client.methodsDescription[command.name()];
    if (help !== undefined) command.description(help);
  }
}
