/**
 * @module
 * `GuestPort`: a TCP port of the guest, forwarded by QEMU's user-mode network to a port on the exporter, as
 * a network driver (client label `jumpstarter_driver_network.client.NetworkClient`), so
 * `j <qemu> <name> forward-tcp` and `address` work as with `TcpNetwork`.
 */
import { once } from "node:events";
import { connect } from "node:net";
import type { Duplex } from "node:stream";
import { callSignal, ConnectionError, exportMethod, exportstream } from "@jumpstarter/core";
import type { DriverOptions } from "@jumpstarter/core";
import { formatAddress } from "@jumpstarter/driver-network";
import type { AddressableNetworkMethods } from "@jumpstarter/driver-network";
import { NetworkDriver } from "@jumpstarter/driver-network/driver";
import type { Hostfwd } from "./config.js";
import type { Machine } from "./machine.js";

/** One forwarded guest port of `Qemu`. */
export class GuestPort extends NetworkDriver implements AddressableNetworkMethods {
  readonly #machine: Machine;
  readonly #name: string;
  readonly #forward: Hostfwd;

  constructor(machine: Machine, name: string, forward: Hostfwd, options: DriverOptions = {}) {
    super(options);
    this.#machine = machine;
    this.#name = name;
    this.#forward = forward;
  }

  #port(): number {
    const port = this.#machine.hostPort(this.#name);
    if (port === undefined) throw new ConnectionError(`the exporter port of ${this.#name} is chosen at the first power on; power the VM on first`);
    return port;
  }

  /** Opens a connection to the guest port (through QEMU's forward on the exporter). */
  @exportstream
  async connect(): Promise<Duplex> {
    if (!this.#machine.running) throw new ConnectionError(`the VM is powered off; guest port ${this.#forward.guestport} is unreachable`);
    const target = formatAddress("tcp", this.#forward.hostaddr, this.#port());
    const socket = connect({ host: this.#forward.hostaddr, port: this.#port(), allowHalfOpen: true });
    try {
      await once(socket, "connect", { signal: callSignal() });
    } catch (error) {
      socket.destroy();
      throw new ConnectionError(`cannot connect to ${target}: ${(error as Error).message}`, { cause: error });
    }
    return this.track(socket);
  }

  /** `tcp://hostaddr:port` of the forward on the exporter. */
  @exportMethod
  async address(): Promise<string> {
    return formatAddress("tcp", this.#forward.hostaddr, this.#port());
  }
}
