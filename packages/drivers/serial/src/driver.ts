/**
 * @module
 * Exporter side of the serial driver: `PySerial` (same `type:` and config keys as the reference) on the
 * `serialport` native bindings.
 */
import { existsSync } from "node:fs";
import type { Duplex } from "node:stream";
import { z } from "zod";
import { ConnectionError, Driver, InvalidArgumentError, exportMethod, exportstream } from "@jumpstarter/core";
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { PySerialInterface } from "./interface.js";
import type { BindingPort } from "./port-stream.js";
import { LoopStream, PortStream, openPort, portError } from "./port-stream.js";

/** The in-memory loopback URL of pyserial. */
export const LOOP_URL = "loop://";

/** Config schema of {@link PySerial}: the reference's `config:` keys. */
export const pySerialConfigSchema = z
  .object({
    /** Device path (`/dev/ttyUSB0`), `file:///dev/ttyUSB0`, or `loop://`. */
    url: z.string().min(1),
    baudrate: z.number().int().positive().default(115200),
    /** Fail at exporter start when the device is missing (turn off for ports that appear later). */
    check_present: z.boolean().default(true),
    /** Characters per second for writes (slow typing for devices without flow control). */
    cps: z.number().positive().nullable().default(null),
    /** Keep DTR/RTS up when the port closes (avoids resetting boards wired to them). */
    disable_hupcl: z.boolean().default(false),
  })
  .strict();

/** Config of {@link PySerial} as written in YAML (defaults optional). */
export type PySerialConfig = z.input<typeof pySerialConfigSchema>;

/** A serial port exported as a byte stream, with DTR/RTS control. */
export class PySerial extends Driver implements DriverMethods<typeof PySerialInterface> {
  static readonly configSchema = pySerialConfigSchema;

  readonly url: string;
  readonly path: string;
  readonly baudrate: number;
  readonly cps: number | null;
  readonly disableHupcl: boolean;
  readonly #connections = new Set<Duplex>();
  #dtr = true;
  #rts = true;

  constructor(config: PySerialConfig, options: DriverOptions = {}) {
    super(options);
    const parsed = pySerialConfigSchema.parse(config);
    this.url = parsed.url;
    this.path = devicePath(parsed.url);
    this.baudrate = parsed.baudrate;
    this.cps = parsed.cps;
    this.disableHupcl = parsed.disable_hupcl;
    if (parsed.check_present && this.url !== LOOP_URL && !existsSync(this.path)) {
      throw new ConnectionError(`serial port ${this.path} is not present (set check_present: false for ports that appear later)`);
    }
  }

  client(): string {
    return PySerialInterface.client;
  }

  /** Opens the port as a byte stream; one connection at a time (the port is locked while open). */
  @exportstream
  async connect(): Promise<Duplex> {
    const options = { cps: this.cps ?? undefined };
    const stream = this.url === LOOP_URL ? new LoopStream(options) : new PortStream(await this.#open(), this.path, options);
    this.#connections.add(stream);
    stream.once("close", () => this.#connections.delete(stream));
    this.logger.info(`connected to ${this.url} at ${this.baudrate} baud`);
    return stream;
  }

  /** Closes every open connection (and, as the reference does, releases the driver's resources). */
  @exportMethod
  override async close(): Promise<void> {
    const closing = [...this.#connections].map(
      (stream) => new Promise<void>((resolve) => {
        if (stream.closed) return resolve();
        stream.once("close", () => resolve());
        stream.destroy();
      }),
    );
    await Promise.all(closing);
    await super.close();
  }

  /** Sets the DTR line. */
  @exportMethod
  async set_dtr(value: boolean): Promise<null> {
    this.#dtr = checkBoolean("set_dtr", value);
    await this.#setLines("set DTR");
    return null;
  }

  /** Sets the RTS line. */
  @exportMethod
  async set_rts(value: boolean): Promise<null> {
    this.#rts = checkBoolean("set_rts", value);
    await this.#setLines("set RTS");
    return null;
  }

  async #open(): Promise<BindingPort> {
    return openPort({ path: this.path, baudRate: this.baudrate, hupcl: !this.disableHupcl });
  }

  /** Applies DTR/RTS through the open connection, or opens the port just for this. */
  async #setLines(action: string): Promise<void> {
    if (this.url === LOOP_URL) return;
    const active = [...this.#connections].find((stream): stream is PortStream => stream instanceof PortStream && stream.port.isOpen);
    const port = active?.port ?? (await this.#open());
    try {
      await port.set({ dtr: this.#dtr, rts: this.#rts, brk: false });
    } catch (error) {
      throw portError(this.path, action, error);
    } finally {
      if (!active && port.isOpen) await port.close().catch(() => {});
    }
  }
}

function checkBoolean(method: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new InvalidArgumentError(`${method} expects a boolean, got ${JSON.stringify(value)}`);
  return value;
}

/** The device path of a pyserial URL: a plain path, `file://` URL or `loop://`. */
function devicePath(url: string): string {
  if (url === LOOP_URL) return url;
  if (url.startsWith("file://")) return decodeURIComponent(url.slice("file://".length));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    throw new InvalidArgumentError(`serial URL scheme of ${url} is not supported (use a device path, file:// or loop://)`);
  }
  return url;
}
