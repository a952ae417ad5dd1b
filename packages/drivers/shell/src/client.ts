/**
 * @module
 * `ShellClient`: lists the exporter's shell methods and runs them, live or collected.
 */
import type { Writable } from "node:stream";
import { CancelledError, InterfaceClient, InvalidArgumentError, NotFoundError, registerClientClass } from "@jumpstarter/core";
import type { ShellInterface } from "./interface.js";
import { SHELL_CLIENT } from "./interface.js";

/** Options of a method run. */
export interface ShellRunOptions {
  /** Variables added to the script's environment on the exporter. */
  readonly env?: Readonly<Record<string, string>>;
  /** Cancels the run; the exporter terminates the script's process group. */
  readonly signal?: AbortSignal;
}

/** Options of {@link ShellClient.callMethod}: where to copy output while it arrives. */
export interface ShellCallOptions extends ShellRunOptions {
  readonly stdout?: Writable;
  readonly stderr?: Writable;
}

/** One piece of live output; `returncode` is set on the last one only. */
export interface ShellOutput {
  readonly stdout: string;
  readonly stderr: string;
  readonly returncode: number | null;
}

/** The whole output of a finished run. */
export interface ShellResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly returncode: number;
}

/** Client of the Shell driver. */
export class ShellClient extends InterfaceClient<typeof ShellInterface> {
  #methods: Promise<string[]> | undefined;

  /** Names of the configured methods (asked once, then cached). */
  methods(): Promise<string[]> {
    this.#methods ??= this.invoke("get_methods").then(
      (names) => {
        if (!Array.isArray(names) || names.some((name) => typeof name !== "string")) {
          throw new InvalidArgumentError(`get_methods returned ${JSON.stringify(names)}, not a list of names`);
        }
        return names;
      },
      (error: unknown) => {
        this.#methods = undefined;
        throw error;
      },
    );
    return this.#methods;
  }

  /** Runs `method` with `args`, yielding output as the exporter sends it. */
  async *run(method: string, args: readonly string[] = [], options: ShellRunOptions = {}): AsyncGenerator<ShellOutput> {
    const methods = await this.methods();
    if (!methods.includes(method)) {
      throw new NotFoundError(`shell method ${JSON.stringify(method)} not found; available: ${methods.join(", ") || "(none)"}`);
    }
    const wireArgs: unknown[] = [method, { ...options.env }, ...args];
    let finished = false;
    for await (const value of this.streamingCall("call_method", wireArgs, options.signal ? { signal: options.signal } : {})) {
      const chunk = parseChunk(value);
      finished ||= chunk.returncode !== null;
      yield chunk;
    }
    if (!finished) throw new CancelledError(`shell method ${method} ended without a return code (was the connection closed?)`);
  }

  /**
   * Runs `method` to completion and returns its output and return code, copying output to
   * `options.stdout` / `options.stderr` as it arrives.
   */
  async callMethod(method: string, args: readonly string[] = [], options: ShellCallOptions = {}): Promise<ShellResult> {
    let stdout = "";
    let stderr = "";
    let returncode = 0;
    for await (const chunk of this.run(method, args, options)) {
      if (chunk.stdout) {
        stdout += chunk.stdout;
        options.stdout?.write(chunk.stdout);
      }
      if (chunk.stderr) {
        stderr += chunk.stderr;
        options.stderr?.write(chunk.stderr);
      }
      if (chunk.returncode !== null) returncode = chunk.returncode;
    }
    return { stdout, stderr, returncode };
  }
}

function parseChunk(value: unknown): ShellOutput {
  if (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === "string" &&
    typeof value[1] === "string" &&
    (value[2] === null || typeof value[2] === "number")
  ) {
    return { stdout: value[0], stderr: value[1], returncode: value[2] };
  }
  throw new InvalidArgumentError(`call_method sent ${JSON.stringify(value)}, not [stdout, stderr, returncode]`);
}

registerClientClass(SHELL_CLIENT, ShellClient);
