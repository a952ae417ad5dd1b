/**
 * @module
 * The interactive console of `j serial start-console`: the local terminal in raw mode wired to the port,
 * left with Ctrl-B pressed three times. The terminal mode is restored on every way out (escape, port
 * closed, errors, signals, process exit).
 */
import type { Readable, Writable } from "node:stream";
import { constants } from "node:os";
import { InvalidArgumentError } from "@jumpstarter/core";
import type { PySerialClient } from "./client.js";

/** The escape byte (Ctrl-B) and how many in a row leave the console. */
export const ESCAPE_BYTE = 0x02;
export const ESCAPE_COUNT = 3;

/** Terminal streams of the console (the process's own by default). */
export interface ConsoleIo {
  readonly stdin: Readable & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown; isRaw?: boolean };
  readonly stdout: Writable;
  readonly stderr: Writable;
}

/** How the console ended. */
export type ConsoleExit = { readonly reason: "escape" | "closed" } | { readonly reason: "signal"; readonly signal: NodeJS.Signals };

const exitSignals: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"];

/** Counts consecutive escape bytes across chunks; returns the bytes to forward and whether to leave. */
export class EscapeDetector {
  #count = 0;

  /** Scans one chunk of keyboard input. */
  feed(chunk: Uint8Array): { readonly forward: Uint8Array; readonly exit: boolean } {
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== ESCAPE_BYTE) {
        this.#count = 0;
        continue;
      }
      if (++this.#count === ESCAPE_COUNT) return { forward: chunk.subarray(0, i), exit: true };
    }
    return { forward: chunk, exit: false };
  }
}

/**
 * Runs the interactive console until the user presses Ctrl-B three times, the port closes or a signal
 * arrives. A signal sets `process.exitCode` to 128 + its number after the terminal is restored.
 */
export async function startConsole(client: PySerialClient, io: ConsoleIo = processIo()): Promise<ConsoleExit> {
  const { stdin, stdout, stderr } = io;
  if (!stdin.isTTY || typeof stdin.setRawMode !== "function") {
    throw new InvalidArgumentError("start-console needs a terminal on stdin; use `j serial pipe` with pipes and files");
  }
  const port = await client.open();
  const wasRaw = stdin.isRaw === true;
  const restore = () => {
    if (!wasRaw) stdin.setRawMode?.(false);
  };
  const cleanup: Array<() => void> = [];
  process.once("exit", restore);
  cleanup.push(() => process.off("exit", restore));
  try {
    stdin.setRawMode(true);
    stderr.write("Connected to the serial port. Press Ctrl-B three times to exit.\r\n");
    return await new Promise<ConsoleExit>((resolve, reject) => {
      const detector = new EscapeDetector();
      const listen = <A extends unknown[]>(emitter: NodeJS.EventEmitter, event: string, listener: (...args: A) => void) => {
        const untyped = listener as unknown as (...args: unknown[]) => void;
        emitter.on(event, untyped);
        cleanup.push(() => emitter.off(event, untyped));
      };
      for (const signal of exitSignals) listen(process, signal, () => resolve({ reason: "signal", signal }));
      listen(port, "data", (chunk: Buffer) => {
        stdout.write(chunk);
      });
      listen(port, "end", () => resolve({ reason: "closed" }));
      listen(port, "close", () => resolve({ reason: "closed" }));
      listen(port, "error", (error: Error) => reject(error));
      listen(stdin, "data", (chunk: Buffer) => {
        const { forward, exit } = detector.feed(chunk);
        if (forward.length > 0) port.write(forward);
        if (exit) resolve({ reason: "escape" });
      });
      listen(stdin, "end", () => resolve({ reason: "closed" }));
      stdin.resume();
    }).then((exit) => {
      if (exit.reason === "signal") process.exitCode = 128 + (constants.signals[exit.signal] ?? 0);
      return exit;
    });
  } finally {
    restore();
    for (const undo of cleanup.reverse()) undo();
    stdin.pause();
    port.destroy();
    stderr.write("\r\n");
  }
}

function processIo(): ConsoleIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
}
