/**
 * @module
 * `UdpNetwork`: datagrams to a UDP service reachable from the exporter.
 */
import type { Duplex } from "node:stream";
import type { DriverOptions } from "@jumpstarter/core";
import { callSignal, exportMethod, exportstream } from "@jumpstarter/core";
import type { z } from "zod";
import type { HostPortConfigSchema } from "./host-port-network.js";
import { HostPortNetwork } from "./host-port-network.js";
import type { AddressableNetworkMethods } from "./interface.js";
import { openUdp } from "./udp-stream.js";

/** Config of {@link UdpNetwork}: `host`, `port`, and `enable_address` (default true). */
export type UdpNetworkConfig = z.input<typeof HostPortConfigSchema>;

/**
 * Each `connect` opens a UDP socket connected to `host:port`. Every DATA frame the client sends becomes one
 * datagram and every datagram received becomes one DATA frame; `NetworkClient.connectDatagrams()` keeps
 * those boundaries on the client side. `address()` is `udp://host:port`.
 */
export class UdpNetwork extends HostPortNetwork implements AddressableNetworkMethods {
  constructor(config: UdpNetworkConfig, options: DriverOptions = {}) {
    super("udp", config, options);
  }

  @exportstream
  async connect(): Promise<Duplex> {
    this.logger.debug(`opening UDP socket to ${this.url}`);
    return this.track(await openUdp(this.host, this.port, this.url, callSignal()));
  }

  @exportMethod
  async address(): Promise<string> {
    return this.addressIf(this.enableAddress, this.url);
  }
}
