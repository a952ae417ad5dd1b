/**
 * @module
 * `QemuConsole`: the VM's first serial port as a serial driver. QEMU listens on a unix socket; each `connect`
 * opens a connection to it, so `j console start-console`, `pipe` and the expect adapter work as with a
 * physical port. Output the guest writes while nobody is connected is dropped, as on a real UART.
 */
import { once } from "node:events";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { ConnectionError, Driver, exportMethod, exportstream, InvalidArgumentError } from "@jumpstarter/core";
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { PySerialInterface } from "@jumpstarter/driver-serial";
import type { Machine } from "./machine.js";

/** Console child of `Qemu` (client label `jumpstarter_driver_pyserial.client.PySerialClient`). */
export class QemuConsole extends Driver implements DriverMethods<typeof PySerialInterface> {
  readonly #machine: Machine;
  readonly #open = new Set<Duplex>();

  constructor(machine: Machine, options: DriverOptions = {}) {
    super(options);
    this.#machine = machine;
    machine.on("exit", () => this.#dropAll());
  }

  override client(): string {
    return PySerialInterface.client;
  }

  /** Connects to the guest's serial port. The stream ends when the VM stops. */
  @exportstream
  async connect(): Promise<Duplex> {
    if (!this.#machine.running) throw new ConnectionError("the VM is powered off; power it on first");
    const socket = connect(this.#machine.serialPath);
    try {
      await once(socket, "connect");
    } catch (error) {
      socket.destroy();
      throw new ConnectionError(`cannot reach the VM's serial console: ${(error as Error).message}`, { cause: error });
    }
    this.#open.add(socket);
    socket.once("close", () => this.#open.delete(socket));
    return socket;
  }

  /** Drops every open console connection. */
  @exportMethod
  override async close(): Promise<void> {
    this.#dropAll();
    await super.close();
  }

  /** A virtual UART has no modem lines; accepted and ignored. */
  @exportMethod
  async set_dtr(value: boolean): Promise<null> {
    checkBoolean("set_dtr", value);
    return null;
  }

  /** A virtual UART has no modem lines; accepted and ignored. */
  @exportMethod
  async set_rts(value: boolean): Promise<null> {
    checkBoolean("set_rts", value);
    return null;
  }

  #dropAll(): void {
    for (const stream of this.#open) stream.destroy();
    this.#open.clear();
  }
}

function checkBoolean(method: string, value: unknown): void {
  if (typeof value !== "boolean") throw new InvalidArgumentError(`${method} expects a boolean, got ${JSON.stringify(value)}`);
}
