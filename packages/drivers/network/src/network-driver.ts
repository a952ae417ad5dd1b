/**
 * @module
 * What every network driver shares: the client label, tracking of the streams it opened (destroyed by
 * `close()`), and the `address()` switch.
 */
import type { Duplex } from "node:stream";
import { Driver, InvalidArgumentError } from "@jumpstarter/core";
import { NETWORK_CLIENT_LABEL } from "./interface.js";

/** Base of the network drivers. */
export abstract class NetworkDriver extends Driver {
  readonly #open = new Set<Duplex>();

  override client(): string {
    return NETWORK_CLIENT_LABEL;
  }

  /** Number of streams opened by `connect` that are still open. */
  get openStreams(): number {
    return this.#open.size;
  }

  /** Registers a stream `connect` returns so `close()` can release it. */
  protected track<T extends Duplex>(stream: T): T {
    this.#open.add(stream);
    stream.once("close", () => this.#open.delete(stream));
    return stream;
  }

  /** `url` when `enabled`, else INVALID_ARGUMENT (the reference raises ValueError). */
  protected addressIf(enabled: boolean, url: string): string {
    if (!enabled) throw new InvalidArgumentError("address() is disabled: enable_address is false in the exporter configuration");
    return url;
  }

  override async close(): Promise<void> {
    for (const stream of this.#open) stream.destroy();
    this.#open.clear();
    await super.close();
  }
}
