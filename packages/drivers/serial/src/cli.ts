/**
 * @module
 * `j <serial>` commands: `start-console` (interactive, raw terminal) and `pipe` (stdin → port → stdout).
 */
import { createWriteStream } from "node:fs";
import { once } from "node:events";
import type { Readable, Writable } from "node:stream";
import type { Command } from "commander";
import { InvalidArgumentError } from "@jumpstarter/core";
import type { PySerialClient } from "./client.js";
import { startConsole } from "./terminal.js";

/** Options of the `pipe` command. */
export interface PipeCommandOptions {
  readonly output?: string;
  readonly append?: boolean;
  /** `-i` forces input on, `--no-input` forces it off; piped stdin turns it on otherwise. */
  readonly input?: boolean;
  /** `--no-output` sets this to false: send stdin and exit at its end. */
  readonly outputEnabled?: boolean;
}

/** Process streams the commands use (replaceable in tests). */
export interface CommandIo {
  readonly stdin: Readable & { isTTY?: boolean };
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** Adds the serial commands to `group` (the `j` group named after the driver). */
export function serialCommands(group: Command, client: PySerialClient): void {
  group
    .command("start-console")
    .description("Start an interactive serial console (press Ctrl-B three times to exit)")
    .action(async () => {
      await startConsole(client);
    });

  // `--no-output` and `--output FILE` share commander's attribute, so the switch is tracked on its own.
  let noOutput = false;
  const pipe = group
    .command("pipe")
    .description("Pipe serial output to stdout or a file; piped stdin is sent to the port")
    .option("-o, --output <file>", "write serial output to a file instead of stdout")
    .option("-a, --append", "append to the output file instead of overwriting it")
    .option("-i, --input", "send stdin to the port even when it is a terminal")
    .option("--no-input", "never send stdin to the port")
    .option("--no-output", "send stdin to the port and exit at its end, without reading the port")
    .action(async (options: { output?: string | boolean; append?: boolean; input?: boolean }) => {
      await runPipe(client, {
        ...(typeof options.output === "string" ? { output: options.output } : {}),
        ...(options.append !== undefined ? { append: options.append } : {}),
        ...(options.input !== undefined ? { input: options.input } : {}),
        outputEnabled: !noOutput,
      });
    });
  pipe.on("option:no-output", () => {
    noOutput = true;
  });
}

/**
 * The `pipe` command: relays until Ctrl-C (or, with `--no-output`, until stdin ends).
 */
export async function runPipe(client: PySerialClient, options: PipeCommandOptions, io: CommandIo = processIo()): Promise<void> {
  const outputEnabled = options.outputEnabled !== false;
  const inputEnabled = options.input ?? !io.stdin.isTTY;
  if (!outputEnabled && (options.output !== undefined || options.append)) {
    throw new InvalidArgumentError("--no-output cannot be combined with --output or --append");
  }
  if (!outputEnabled && !inputEnabled) {
    throw new InvalidArgumentError("--no-output needs input: pipe data into stdin or pass --input");
  }
  if (options.append && options.output === undefined) throw new InvalidArgumentError("--append needs --output FILE");
  let output: Writable | undefined;
  let file: ReturnType<typeof createWriteStream> | undefined;
  if (outputEnabled) {
    if (options.output !== undefined) {
      file = createWriteStream(options.output, { flags: options.append ? "a" : "w" });
      await once(file, "open");
      output = file;
    } else {
      output = io.stdout;
    }
  }
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) process.on(signal, stop);
  try {
    await client.pipe({
      ...(inputEnabled ? { input: io.stdin } : {}),
      ...(output ? { output } : {}),
      untilInputEnd: !outputEnabled,
      signal: controller.signal,
    });
  } finally {
    for (const signal of signals) process.off(signal, stop);
    if (inputEnabled) io.stdin.pause();
    if (file) {
      file.end();
      await once(file, "close");
    }
  }
}

function processIo(): CommandIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}
