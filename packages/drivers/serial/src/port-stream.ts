/**
 * @module
 * A Node `Duplex` that owns one open serial port (a serialport binding handle): reads are pulled only as
 * fast as the consumer takes them, writes resolve once the OS has the bytes, ending the writable side
 * waits for the output to drain and then ends the readable side (so a writer learns its bytes went out),
 * and destroying the stream closes the port.
 */
import { read } from "node:fs";
import { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { SerialPort } from "serialport";
import { ConnectionError, InternalError, JumpstarterError } from "@jumpstarter/core";

/** The binding-level port handle serialport opens (platform specific, same surface everywhere). */
export type BindingPort = Awaited<ReturnType<typeof SerialPort.binding.open>>;

/** How to open a port. */
export interface PortSettings {
  readonly path: string;
  readonly baudRate: number;
  /** Drop DTR/RTS on close (the termios HUPCL flag). */
  readonly hupcl: boolean;
}

const readSize = 64 * 1024;

/** Opens `settings.path` exclusively, turning binding errors into statuses a client can act on. */
export async function openPort(settings: PortSettings): Promise<BindingPort> {
  try {
    return await SerialPort.binding.open({ path: settings.path, baudRate: settings.baudRate, hupcl: settings.hupcl, lock: true });
  } catch (error) {
    throw portError(settings.path, "open", error);
  }
}

/** Explains a serialport failure on `path` with the status the situation deserves. */
export function portError(path: string, action: string, error: unknown): JumpstarterError {
  if (error instanceof JumpstarterError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/no such file or directory/i.test(message) || /ENOENT/.test(message)) {
    return new ConnectionError(`serial port ${path} is not present (${message})`, { cause: error });
  }
  if (/cannot lock port|resource temporarily unavailable|EBUSY|device or resource busy/i.test(message)) {
    return new ConnectionError(`serial port ${path} is busy: another connection or process holds it (${message})`, { cause: error });
  }
  if (/inappropriate ioctl/i.test(message)) {
    return new InternalError(`cannot ${action} on ${path}: the device has no modem control lines (${message})`, { cause: error });
  }
  if (/permission denied|EACCES/i.test(message)) {
    return new InternalError(`cannot ${action} ${path}: permission denied (${message})`, { cause: error });
  }
  return new InternalError(`cannot ${action} ${path}: ${message}`, { cause: error });
}

/** The unix part of a binding port: its descriptor and readiness poller. */
interface UnixPort {
  readonly fd: number | null;
  readonly poller: { once(event: "readable", listener: (error: Error | null) => void): unknown };
}

function isUnixPort(port: BindingPort): port is BindingPort & UnixPort {
  return typeof (port as Partial<UnixPort>).fd === "number" && typeof (port as Partial<UnixPort>).poller?.once === "function";
}

/**
 * Reads at least one byte. On unix the descriptor is read directly: the binding's own read retries forever
 * when a hung-up tty returns end-of-file (0 bytes), where a disconnect has to be reported instead.
 */
async function readPort(port: BindingPort, buffer: Buffer): Promise<number> {
  if (!isUnixPort(port)) return (await port.read(buffer, 0, buffer.length)).bytesRead;
  for (;;) {
    const fd = port.fd;
    if (fd === null) throw Object.assign(new Error("port is closed"), { canceled: true });
    const outcome = await new Promise<number | NodeJS.ErrnoException>((resolve) => {
      read(fd, buffer, 0, buffer.length, null, (error, count) => resolve(error ?? count));
    });
    // Closed meanwhile: the poller is gone (touching it would crash the binding) and the fd may be reused.
    if (port.fd !== fd) throw Object.assign(new Error("port is closed"), { canceled: true });
    if (outcome === 0) throw new Error("the device hung up");
    if (typeof outcome === "number") return outcome;
    if (outcome.code !== "EAGAIN" && outcome.code !== "EWOULDBLOCK" && outcome.code !== "EINTR") throw outcome;
    await new Promise<void>((resolve, reject) => {
      port.poller.once("readable", (error) => (error ? reject(error) : resolve()));
    });
  }
}

/** Options of {@link PortStream}. */
export interface PortStreamOptions {
  /** Characters per second for writes (simulated typing); unlimited when absent. */
  readonly cps?: number | undefined;
}

/** Byte stream over an open port. Destroy it to close the port. */
export class PortStream extends Duplex {
  readonly port: BindingPort;
  readonly path: string;
  readonly #cps: number | undefined;
  #reading = false;
  #eof = false;

  constructor(port: BindingPort, path: string, options: PortStreamOptions = {}) {
    super({ allowHalfOpen: true, highWaterMark: readSize });
    this.port = port;
    this.path = path;
    this.#cps = options.cps !== undefined && options.cps > 0 ? options.cps : undefined;
  }

  override _read(): void {
    if (this.#reading || this.#eof || !this.port.isOpen) return;
    this.#reading = true;
    const buffer = Buffer.allocUnsafe(readSize);
    readPort(this.port, buffer).then(
      (bytesRead) => {
        this.#reading = false;
        if (this.destroyed || this.#eof) return;
        if (this.push(buffer.subarray(0, bytesRead))) this._read();
      },
      (error: unknown) => {
        this.#reading = false;
        if ((error as { canceled?: boolean }).canceled || this.destroyed) return;
        this.destroy(new ConnectionError(`serial port ${this.path} disconnected: ${(error as Error).message}`, { cause: error }));
      },
    );
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#send(chunk).then(
      () => callback(),
      (error: unknown) => callback(portError(this.path, "write to", error)),
    );
  }

  async #send(chunk: Buffer): Promise<void> {
    if (this.#cps === undefined) return this.port.write(chunk);
    const delayMs = 1000 / this.#cps;
    for (let i = 0; i < chunk.length; i++) {
      if (this.destroyed) return;
      await this.port.write(chunk.subarray(i, i + 1));
      if (i < chunk.length - 1) await sleep(delayMs);
    }
  }

  /** The client is done writing: wait until the bytes left the port, then end the stream (EOF). */
  override _final(callback: (error?: Error | null) => void): void {
    const finish = () => {
      callback();
      this.#eof = true;
      this.push(null);
    };
    if (!this.port.isOpen) return finish();
    this.port.drain().then(finish, finish);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.port.isOpen) return callback(error);
    this.port.close().then(
      () => callback(error),
      (closeError: unknown) => callback(error ?? portError(this.path, "close", closeError)),
    );
  }
}

/**
 * The `loop://` port: every byte written is read back, optionally throttled like a real port.
 */
export class LoopStream extends Duplex {
  readonly #cps: number | undefined;

  constructor(options: PortStreamOptions = {}) {
    super({ allowHalfOpen: true });
    this.#cps = options.cps !== undefined && options.cps > 0 ? options.cps : undefined;
  }

  override _read(): void {}

  override _final(callback: (error?: Error | null) => void): void {
    callback();
    this.push(null);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#cps === undefined) {
      this.push(chunk);
      return callback();
    }
    void (async () => {
      for (let i = 0; i < chunk.length && !this.destroyed; i++) {
        this.push(chunk.subarray(i, i + 1));
        if (i < chunk.length - 1) await sleep(1000 / this.#cps!);
      }
      callback();
    })();
  }
}
