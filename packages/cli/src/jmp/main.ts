/**
 * @module
 * The `jmp` program: command definitions are cheap; each action imports what it needs when it runs.
 */
import { Command, CommanderError } from "@commander-js/extra-typings";
import type { CommandUnknownOpts } from "@commander-js/extra-typings";
import { adminCommand } from "../commands/admin.js";
import { completionCommand } from "../commands/completion.js";
import { configCommand } from "../commands/config.js";
import { createCommand } from "../commands/create.js";
import { deleteCommand } from "../commands/delete.js";
import { driverCommand } from "../commands/driver.js";
import { getCommand } from "../commands/get.js";
import { runCommand } from "../commands/run.js";
import { shellCommand } from "../commands/shell.js";
import { updateCommand } from "../commands/update.js";
import { versionCommand } from "../commands/version.js";
import { wantsDebug } from "../j/main.js";
import { printError } from "../output/print-error.js";

/** Builds the `jmp` command tree. */
export function jmpProgram(): Command<[], { logLevel?: string; logFormat?: string }> {
  const program = new Command("jmp")
    .description("Jumpstarter: run exporters and reach their devices")
    .option("--log-level <level>", "DEBUG, INFO, WARNING, ERROR or CRITICAL")
    .option("--log-format <format>", "auto, json or text (jmp run)")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`Error: ${text.replace(/^error: /, "")}`) });
  const commands = [shellCommand(), runCommand(), createCommand(), getCommand(), deleteCommand(), updateCommand(), configCommand(), adminCommand(), driverCommand(), versionCommand(), completionCommand()];
  for (const command of commands) {
    program.addCommand(command);
  }
  const inherit = (command: CommandUnknownOpts) => {
    for (const child of command.commands) {
      child.copyInheritedSettings(command);
      inherit(child);
    }
  };
  inherit(program);
  return program;
}

/** Runs `jmp` with `argv` (without node and script) and returns the exit code. */
export async function runJmp(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  try {
    await jmpProgram().parseAsync([...argv], { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === "commander.helpDisplayed" || error.code === "commander.version" ? 0 : 2;
    }
    return printError(error, wantsDebug(argv));
  }
}
