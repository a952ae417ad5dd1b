/**
 * @module
 * `EchoNetwork`: a network driver with nothing behind it; every byte sent comes back.
 */
import { PassThrough } from "node:stream";
import type { Duplex } from "node:stream";
import type { DriverOptions } from "@jumpstarter/core";
import { exportstream } from "@jumpstarter/core";
import { z } from "zod";
import type { StreamNetworkMethods } from "./interface.js";
import { NetworkDriver } from "./network-driver.js";

/** {@link EchoNetwork} takes no `config:` keys. */
export const EchoNetworkConfigSchema = z.strictObject({});

/** Config of {@link EchoNetwork} (empty). */
export type EchoNetworkConfig = z.input<typeof EchoNetworkConfigSchema>;

/**
 * Each `connect` returns an in-process echo: writes come back as they were written (one chunk per write),
 * and ending the write side ends the read side.
 */
export class EchoNetwork extends NetworkDriver implements StreamNetworkMethods {
  static readonly configSchema = EchoNetworkConfigSchema;

  constructor(_config: EchoNetworkConfig = {}, options: DriverOptions = {}) {
    super(options);
  }

  @exportstream
  async connect(): Promise<Duplex> {
    this.logger.debug("opening echo stream");
    // Object mode on the read side keeps each written chunk a separate message through the relay.
    return this.track(new PassThrough({ readableObjectMode: true }));
  }
}
