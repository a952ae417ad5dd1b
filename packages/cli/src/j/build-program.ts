/**
 * @module
 * Turns a client tree into the `j` command tree (spec cli §3): each composite child becomes a subcommand
 * named by its `jumpstarter.dev/name`, nested composites nest, every client contributes the commands its
 * package declares, `description` / `methods_description` become help, and unavailable drivers are listed
 * in a note instead of commands.
 */
import type { DriverClient } from "@jumpstarter/core";
import { StubDriverClient } from "@jumpstarter/core";
import { Command } from "commander";
import { CliError } from "../errors.js";
import type { CommandsBuilder } from "./plugins.js";

/** Inputs of {@link buildProgram}. */
export interface ProgramSources {
  /** Command builders by client label. */
  readonly commands: ReadonlyMap<string, CommandsBuilder>;
  /** Why a label's client could not be loaded. */
  readonly failures?: ReadonlyMap<string, string>;
}

function unavailableReason(client: DriverClient, sources: ProgramSources): string | undefined {
  if (client instanceof StubDriverClient) {
    return client.reason === "not-allowed" ? `client ${client.clientLabel} is not allowed (JMP_DRIVERS_ALLOW)` : `client ${client.clientLabel} is not installed`;
  }
  return sources.failures?.get(client.clientLabel);
}

/** Applies `methods_description` to the subcommands of `group`. */
function applyMethodDescriptions(group: Command, client: DriverClient): void {
  for (const command of group.commands) {
    const text = client.methodsDescription[command.name()];
    if (text !== undefined) command.description(text);
  }
}

/** A hidden command standing in for an unavailable driver: running it explains why. */
const placeholders = new WeakSet<Command>();

function placeholder(group: Command, name: string, failure: () => never): void {
  const command = group
    .command(name, { hidden: true })
    .allowUnknownOption()
    .allowExcessArguments()
    .helpOption(false)
    .action(() => failure());
  placeholders.add(command);
}

/**
 * Fills `group` with `client`'s own commands and one subcommand per child. Returns whether the group has
 * anything to run.
 */
async function fill(group: Command, client: DriverClient, sources: ProgramSources): Promise<boolean> {
  const builder = sources.commands.get(client.clientLabel);
  if (builder && !(client instanceof StubDriverClient)) await builder(group, client);
  const notes: string[] = [];
  for (const [name, child] of Object.entries(client.children)) {
    if (group.commands.some((command) => command.name() === name)) continue;
    const reason = unavailableReason(child, sources);
    if (reason) {
      notes.push(`  ${name}: unavailable, ${reason}`);
      placeholder(group, name, () => {
        throw new CliError(`${name} is not available: ${reason}`);
      });
      continue;
    }
    const sub = new Command(name).copyInheritedSettings(group);
    if (child.description) sub.description(child.description);
    let filled: boolean;
    try {
      filled = await fill(sub, child, sources);
    } catch (error) {
      notes.push(`  ${name}: unavailable, ${error instanceof Error ? error.message : String(error)}`);
      placeholder(group, name, () => {
        throw error;
      });
      continue;
    }
    if (filled) {
      if (!sub.description()) sub.description(Object.keys(child.children).length > 0 ? "Group of drivers" : `${child.clientLabel.split(".").pop() ?? "Driver"} commands`);
      group.addCommand(sub);
    } else notes.push(`  ${name}: no j commands for ${child.clientLabel}`);
  }
  applyMethodDescriptions(group, client);
  if (notes.length > 0) group.addHelpText("after", `\nNot available here:\n${notes.join("\n")}\n`);
  return group.commands.some((command) => !placeholders.has(command)) || builder !== undefined;
}

/** Adds the client tree's commands to `program` (the `j` root command). */
export async function buildProgram(program: Command, root: DriverClient, sources: ProgramSources): Promise<Command> {
  if (root.description) program.description(root.description);
  await fill(program, root, sources);
  return program;
}
