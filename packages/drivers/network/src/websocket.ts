/**
 * @module
 * `WebsocketNetwork`: a byte stream over a websocket connection made by the exporter.
 */
import type { Duplex } from "node:stream";
import type { DriverOptions } from "@jumpstarter/core";
import { callSignal, exportMethod, exportstream } from "@jumpstarter/core";
import { z } from "zod";
import type { AddressableNetworkMethods } from "./interface.js";
import { NetworkDriver } from "./network-driver.js";
import { openWebsocket } from "./websocket-stream.js";

/** `config:` of {@link WebsocketNetwork}. */
export const WebsocketNetworkConfigSchema = z.strictObject({
  url: z.string().regex(/^wss?:\/\//, "url must start with ws:// or wss://"),
  enable_address: z.boolean().default(true),
});

/** Config of {@link WebsocketNetwork}: the `url` (`ws://` or `wss://`) and `enable_address` (default true). */
export type WebsocketNetworkConfig = z.input<typeof WebsocketNetworkConfigSchema>;

/**
 * Each `connect` opens a websocket to `url`: bytes the client sends go out as binary messages, and each
 * message received comes back as one DATA frame. `address()` is the URL.
 */
export class WebsocketNetwork extends NetworkDriver implements AddressableNetworkMethods {
  static readonly configSchema = WebsocketNetworkConfigSchema;
  readonly url: string;
  readonly enableAddress: boolean;

  constructor(config: WebsocketNetworkConfig, options: DriverOptions = {}) {
    super(options);
    this.url = config.url;
    this.enableAddress = config.enable_address ?? true;
  }

  @exportstream
  async connect(): Promise<Duplex> {
    this.logger.info(`connecting to ${this.url}`);
    return this.track(await openWebsocket(this.url, callSignal()));
  }

  @exportMethod
  async address(): Promise<string> {
    return this.addressIf(this.enableAddress, this.url);
  }
}
