/**
 * @module
 * `TcpNetwork`: a byte stream to a TCP service reachable from the exporter.
 */
import type { Duplex } from "node:stream";
import type { DriverOptions } from "@jumpstarter/core";
import { exportMethod, exportstream } from "@jumpstarter/core";
import type { z } from "zod";
import type { HostPortConfigSchema } from "./host-port-network.js";
import { HostPortNetwork } from "./host-port-network.js";
import type { AddressableNetworkMethods } from "./interface.js";
import { openSocket } from "./open-socket.js";

/** Config of {@link TcpNetwork}: `host`, `port`, and `enable_address` (default true). */
export type TcpNetworkConfig = z.input<typeof HostPortConfigSchema>;

/** Connects to `host:port` over TCP for each `connect`; `address()` is `tcp://host:port`. */
export class TcpNetwork extends HostPortNetwork implements AddressableNetworkMethods {
  constructor(config: TcpNetworkConfig, options: DriverOptions = {}) {
    super("tcp", config, options);
  }

  @exportstream
  async connect(): Promise<Duplex> {
    this.logger.debug(`connecting to ${this.url}`);
    return this.track(await openSocket({ host: this.host, port: this.port }, this.url));
  }

  @exportMethod
  async address(): Promise<string> {
    return this.addressIf(this.enableAddress, this.url);
  }
}
