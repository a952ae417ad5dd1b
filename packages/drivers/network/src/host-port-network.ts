/**
 * @module
 * What the TCP and UDP drivers share: the `host` / `port` / `enable_address` config and the
 * `scheme://host:port` URL that `address()` reveals.
 */
import type { DriverOptions } from "@jumpstarter/core";
import { z } from "zod";
import { formatAddress } from "./address.js";
import { NetworkDriver } from "./network-driver.js";

/** `config:` of {@link TcpNetwork} and {@link UdpNetwork}. */
export const HostPortConfigSchema = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(0).max(65535),
  enable_address: z.boolean().default(true),
});

/** Base of the network drivers that reach a `host:port` service. */
export abstract class HostPortNetwork extends NetworkDriver {
  static readonly configSchema = HostPortConfigSchema;
  readonly host: string;
  readonly port: number;
  readonly enableAddress: boolean;
  // A private field, so it cannot be looked up as a method name over the wire.
  readonly #scheme: "tcp" | "udp";

  protected constructor(scheme: "tcp" | "udp", config: z.input<typeof HostPortConfigSchema>, options: DriverOptions) {
    super(options);
    this.#scheme = scheme;
    this.host = config.host;
    this.port = config.port;
    this.enableAddress = config.enable_address ?? true;
  }

  /** The service URL, whether or not `address()` may reveal it. */
  get url(): string {
    return formatAddress(this.#scheme, this.host, this.port);
  }
}
