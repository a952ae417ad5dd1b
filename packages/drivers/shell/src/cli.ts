/**
 * @module
 * `j` commands of the shell client: one subcommand per configured method (`j shell <method> [-e K=V]…
 * [args…]`), printing the script's output live and exiting with its return code. Building the commands
 * asks the exporter for the method list, so the builder is async and must be awaited.
 */
import { commandOutput } from "@jumpstarter/core";
import type { Command } from "commander";
import { InvalidArgumentError as CliArgumentError } from "commander";
import type { ShellClient } from "./client.js";

/** Adds one subcommand per public method (names starting with `_` stay hidden). */
export async function shellCommands(group: Command, client: ShellClient): Promise<void> {
  const methods = await client.methods();
  group.enablePositionalOptions();
  if (!group.description()) group.description("Shell command executor");
  for (const name of methods) {
    if (name.startsWith("_")) continue;
    group
      .command(name)
      .description(client.methodsDescription[name] ?? `Execute the ${name} shell method`)
      .option("-e, --env <KEY=VALUE>", "environment variable for the script (repeatable)", collectEnv, {})
      .argument("[args...]", "arguments passed to the script as $1, $2, …")
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .action(async (args: string[], options: { env: Record<string, string> }) => {
        const { out: writeOut, err: writeErr } = commandOutput(group);
        let returncode = 0;
        for await (const chunk of client.run(name, args, { env: options.env })) {
          if (chunk.stdout) writeOut(chunk.stdout);
          if (chunk.stderr) writeErr(chunk.stderr);
          if (chunk.returncode !== null) returncode = chunk.returncode;
        }
        if (returncode !== 0) process.exitCode = exitStatusOf(returncode);
      });
  }
}

function collectEnv(text: string, previous: Record<string, string>): Record<string, string> {
  const at = text.indexOf("=");
  if (at <= 0) throw new CliArgumentError(`invalid --env value '${text}'; use KEY=VALUE`);
  return { ...previous, [text.slice(0, at)]: text.slice(at + 1) };
}

/** A process exit status for a script return code (a script killed by signal N exits 128+N). */
export function exitStatusOf(returncode: number): number {
  if (returncode < 0) return 128 - returncode;
  return returncode > 255 ? 1 : returncode;
}
