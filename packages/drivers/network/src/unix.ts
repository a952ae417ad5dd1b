/**
 * @module
 * `UnixNetwork`: a byte stream to a unix domain socket on the exporter.
 */
import type { Duplex } from "node:stream";
import type { DriverOptions } from "@jumpstarter/core";
import { exportstream } from "@jumpstarter/core";
import { z } from "zod";
import type { StreamNetworkMethods } from "./interface.js";
import { NetworkDriver } from "./network-driver.js";
import { openSocket } from "./open-socket.js";

/** `config:` of {@link UnixNetwork}. */
export const UnixNetworkConfigSchema = z.strictObject({ path: z.string().min(1) });

/** Config of {@link UnixNetwork}: the socket `path`. */
export type UnixNetworkConfig = z.input<typeof UnixNetworkConfigSchema>;

/** Connects to the unix socket at `path` for each `connect`. Exports no `address()`, like the reference. */
export class UnixNetwork extends NetworkDriver implements StreamNetworkMethods {
  static readonly configSchema = UnixNetworkConfigSchema;
  readonly path: string;

  constructor(config: UnixNetworkConfig, options: DriverOptions = {}) {
    super(options);
    this.path = config.path;
  }

  @exportstream
  async connect(): Promise<Duplex> {
    this.logger.debug(`connecting to unix socket ${this.path}`);
    return this.track(await openSocket({ path: this.path }, `unix socket ${this.path}`));
  }
}
