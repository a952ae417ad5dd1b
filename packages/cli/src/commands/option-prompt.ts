/**
 * @module
 * Required `--x` options of the `jmp config … create` commands: asked for on the terminal when missing, a usage
 * error when prompting is off.
 */
import { UsageError } from "../errors.js";

/** Whether a command may prompt: stdin is a terminal and `--nointeractive` was not given. */
export function canPrompt(nointeractive: boolean | undefined): boolean {
  return !nointeractive && process.stdin.isTTY === true;
}

async function ask(question: string): Promise<string> {
  const { createInterface } = await import("node:readline/promises");
  const reader = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return (await reader.question(question)).trim();
  } finally {
    reader.close();
  }
}

/** The value of option `--name`: `given` when set, else asked for as "Name: ", else a usage error. */
export async function requiredOption(given: string | undefined, name: string, interactive: boolean): Promise<string> {
  if (given !== undefined) return given;
  if (!interactive) throw new UsageError(`missing --${name} (prompting is off: not a terminal, or --nointeractive)`);
  return ask(`${name[0]!.toUpperCase()}${name.slice(1)}: `);
}
