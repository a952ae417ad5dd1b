/**
 * @module
 * `QemuPower`: the VM's power switch. `on` starts QEMU with the machine's configuration, `off` asks the
 * guest to power down through QMP and stops QEMU after the shutdown timeout.
 */
import { Driver, exportMethod, NotImplementedError } from "@jumpstarter/core";
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { QemuPowerInterface } from "./interface.js";
import type { Machine } from "./machine.js";

/** Power child of `Qemu` (client label `jumpstarter_driver_power.client.PowerClient`). */
export class QemuPower extends Driver implements DriverMethods<typeof QemuPowerInterface> {
  readonly #machine: Machine;

  constructor(machine: Machine, options: DriverOptions = {}) {
    super(options);
    this.#machine = machine;
  }

  override client(): string {
    return QemuPowerInterface.client;
  }

  /** Starts the VM (a warning and nothing else when it already runs). */
  @exportMethod
  async on(): Promise<null> {
    await this.#machine.exclusive("powering on", () => this.#machine.start());
    return null;
  }

  /** Powers the VM down gracefully, then stops QEMU if the guest does not. */
  @exportMethod
  async off(): Promise<null> {
    await this.#machine.exclusive("powering off", () => this.#machine.stop());
    return null;
  }

  /** A VM has no power meter; unary here, as in the reference. */
  @exportMethod
  read(): never {
    throw new NotImplementedError("QEMU power has no voltage or current readings");
  }

  override async close(): Promise<void> {
    await this.#machine.kill();
    await super.close();
  }
}
