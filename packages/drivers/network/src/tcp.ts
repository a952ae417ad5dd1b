/**
 * @module
 * `TcpNetwork`: a byte stream to a TCP service reachable from the exporter.
 */
import type { Duplex } from "node:stream";
import type { DriverOptions } from "@jumpstarter/core";
import { exportMethod, exportstream } from "@jumpstarter/core";
import { z } from "zod";
import { formatAddress } from "./address.js";
import type { AddressableNetworkMethods } from "./interface.js";
import { NetworkDriver } from "./network-driver.js";
import { openSocket } from "./open-socket.js";

/** `config:` of {@link TcpNetwork} (and of {@link UdpNetwork}). */
export const HostPortConfigSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  enable_address: z.boolean().default(true),
});

/** Config of {@link TcpNetwork}: `host`, `port`, and `enable_address` (default true). */
export type TcpNetworkConfig = z.input<typeof HostPortConfigSchema>;

/** Connects to `host:port` over TCP for each `connect`; `address()` is `tcp://host:port`. */
export class TcpNetwork extends NetworkDriver implements AddressableNetworkMethods {
  static readonly configSchema = HostPortConfigSchema;
  readonly host: string;
  readonly port: number;
  readonly enableAddress: boolean;

  constructor(config: TcpNetworkConfig, options: DriverOptions = {}) {
    super(options);
    this.host = config.host;
    this.port = config.port;
    this.enableAddress = config.enable_address ?? true;
  }

  /** The service URL, whether or not `address()` may reveal it. */
  get url(): string {
    return formatAddress("tcp", this.host, this.port);
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
