/**
 * @module
 * `PySerialClient`: the client of serial drivers (label `jumpstarter_driver_pyserial.client.PySerialClient`).
 */
import type { Duplex, Readable, Writable } from "node:stream";
import { InterfaceClient, registerClientClass } from "@jumpstarter/core";
import type { CallOptions } from "@jumpstarter/core";
import type { SerialConsoleOptions } from "./console.js";
import { SerialConsole } from "./console.js";
import { PySerialInterface } from "./interface.js";

/** Options of {@link PySerialClient.pipe}. */
export interface PipeOptions {
  /** Bytes to send to the port (e.g. `process.stdin`). */
  readonly input?: Readable;
  /** Where bytes from the port go (e.g. `process.stdout`). */
  readonly output?: Writable;
  /** Finish once `input` has ended and its bytes were written, instead of waiting for `signal`. */
  readonly untilInputEnd?: boolean;
  /** Stops the pipe (e.g. on Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** Client of a serial port driver. */
export class PySerialClient extends InterfaceClient<typeof PySerialInterface> {
  /** Opens the port as a byte stream. Destroy it to close the connection. */
  async open(options?: CallOptions): Promise<Duplex> {
    return this.stream("connect", options);
  }

  /** Opens the port wrapped in an expect-style console adapter. */
  async console(options: SerialConsoleOptions & CallOptions = {}): Promise<SerialConsole> {
    return new SerialConsole(await this.open(options), options);
  }

  /**
   * Relays `input` to the port and the port to `output` until `signal` aborts, the port closes, or (with
   * `untilInputEnd`) the input has been sent.
   */
  async pipe(options: PipeOptions): Promise<void> {
    const { input, output, signal } = options;
    signal?.throwIfAborted();
    const port = await this.open(signal ? { signal } : {});
    const cleanup: Array<() => void> = [];
    try {
      await new Promise<void>((resolve, reject) => {
        const on = (emitter: NodeJS.EventEmitter, event: string, listener: (...args: unknown[]) => void) => {
          emitter.on(event, listener);
          cleanup.push(() => emitter.off(event, listener));
        };
        on(port, "error", (error) => reject(error as Error));
        on(port, "close", () => resolve());
        on(port, "end", () => resolve());
        if (signal) {
          const abort = () => resolve();
          signal.addEventListener("abort", abort, { once: true });
          cleanup.push(() => signal.removeEventListener("abort", abort));
        }
        if (output) {
          port.pipe(output, { end: false });
          cleanup.push(() => port.unpipe(output));
        } else {
          port.resume();
        }
        if (input) {
          // Ending the port's write side makes the exporter drain the output and then end the stream.
          input.pipe(port, { end: options.untilInputEnd === true });
          cleanup.push(() => input.unpipe(port));
        } else if (options.untilInputEnd) {
          port.end();
        }
      });
    } finally {
      for (const undo of cleanup.reverse()) undo();
      port.destroy();
    }
  }

  /** Sets the DTR line of the port. */
  async setDtr(value: boolean): Promise<void> {
    await this.invoke("set_dtr", value);
  }

  /** Sets the RTS line of the port. */
  async setRts(value: boolean): Promise<void> {
    await this.invoke("set_rts", value);
  }

  /** Asks the exporter to close any open connection to the port. */
  async close(): Promise<void> {
    await this.invoke("close");
  }
}

registerClientClass(PySerialInterface.client, PySerialClient);
