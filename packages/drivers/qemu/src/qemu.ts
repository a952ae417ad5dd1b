/**
 * @module
 * `Qemu`: a virtual machine as a composite driver (type `jumpstarter_driver_qemu.driver.Qemu`). Children:
 * `power`, `flasher`, `console`, `vnc` and one network child per forwarded guest port (`hostfwd`), followed
 * by any children given in the exporter config.
 */
import { Driver, exportMethod, InvalidArgumentError } from "@jumpstarter/core";
import type { DriverMethods, DriverOptions } from "@jumpstarter/core";
import { UnixNetwork } from "@jumpstarter/driver-network/driver";
import type { QemuConfig, QemuSettings } from "./config.js";
import { QemuConfigSchema, settingsFrom } from "./config.js";
import { QemuConsole } from "./console.js";
import { QemuFlasher } from "./flasher.js";
import { GuestPort } from "./guest-port.js";
import { QemuInterface } from "./interface.js";
import { Machine } from "./machine.js";
import { QemuPower } from "./power.js";
import { parseSize } from "./size.js";

/** The QEMU virtual machine driver. */
export class Qemu extends Driver implements DriverMethods<typeof QemuInterface> {
  static readonly configSchema = QemuConfigSchema;

  readonly settings: QemuSettings;
  readonly machine: Machine;

  constructor(config: QemuConfig = {}, options: DriverOptions = {}) {
    const settings = settingsFrom(config);
    let owner: Qemu | undefined;
    const machine = new Machine(settings, () => owner!.logger);
    const builtIn: Record<string, Driver> = {
      power: new QemuPower(machine, { description: "Power of the virtual machine" }),
      flasher: new QemuFlasher(machine, { description: "Images of the virtual machine (root disk, kernel, initrd, firmware)" }),
      console: new QemuConsole(machine, { description: "Serial console of the virtual machine" }),
      vnc: new UnixNetwork({ path: machine.vncPath }, { description: "VNC display of the virtual machine (unix socket)" }),
    };
    for (const [name, forward] of Object.entries(settings.hostfwd)) {
      builtIn[name] = new GuestPort(machine, name, forward, { description: `Guest TCP port ${forward.guestport}` });
    }
    super({ ...options, children: { ...builtIn, ...options.children } });
    owner = this;
    this.settings = settings;
    this.machine = machine;
  }

  override client(): string {
    return QemuInterface.client;
  }

  /** The guest's host name. */
  @exportMethod
  get_hostname(): string {
    return this.settings.hostname;
  }

  /** The user the guest's cloud-init seed creates. */
  @exportMethod
  get_username(): string {
    return this.settings.username;
  }

  /** The password of {@link Qemu.get_username}. */
  @exportMethod
  get_password(): string {
    return this.settings.password;
  }

  /** Sets the root disk size applied at the next power on; shrinking is refused. */
  @exportMethod
  async set_disk_size(size: string): Promise<null> {
    await this.machine.checkDiskSize(checkString("set_disk_size", size));
    this.settings.diskSize = size;
    return null;
  }

  /** Sets the guest memory used from the next power on. */
  @exportMethod
  async set_memory_size(size: string): Promise<null> {
    parseSize(checkString("set_memory_size", size));
    this.settings.mem = size;
    return null;
  }

  override async close(): Promise<void> {
    try {
      await super.close();
    } finally {
      await this.machine.dispose();
    }
  }
}

function checkString(method: string, value: unknown): string {
  if (typeof value !== "string") throw new InvalidArgumentError(`${method} expects a size string such as '2G', got ${JSON.stringify(value)}`);
  return value;
}
