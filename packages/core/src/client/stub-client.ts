/**
 * @module
 * The placeholder for a driver whose client may not be loaded: the session still connects, and using the
 * driver explains why it is unavailable.
 */
import type { Duplex } from "node:stream";
import type { WireValue } from "../codec.js";
import { JumpstarterError, Code } from "../errors.js";
import type { ClientStreamHandle } from "../resources/handle.js";
import type { CallOptions } from "./connection.js";
import type { ClientInit, ResourceIo } from "./driver-client.js";
import { DriverClient } from "./driver-client.js";

/** Why a client is a stub. */
export type StubReason = "not-allowed" | "not-installed";

/** A client that fails every call with a message saying what to do. */
export class StubDriverClient extends DriverClient {
  readonly reason: StubReason;

  constructor(init: ClientInit, reason: StubReason) {
    super(init);
    this.reason = reason;
  }

  /** The explanation every call fails with. */
  get unavailableMessage(): string {
    const label = this.clientLabel;
    return this.reason === "not-allowed"
      ? `Driver client '${label}' is not available: it is not in the driver allowlist (add a matching pattern to drivers.allow in the client config, or set JMP_DRIVERS_ALLOW)`
      : `Driver client '${label}' is not available: no installed package provides a client for it`;
  }

  #fail(): never {
    throw new JumpstarterError(this.unavailableMessage, Code.FAILED_PRECONDITION);
  }

  override async call(_method: string, _args?: readonly unknown[], _options?: CallOptions): Promise<WireValue> {
    this.#fail();
  }

  override async *streamingCall(_method: string, _args?: readonly unknown[], _options?: CallOptions): AsyncGenerator<WireValue> {
    this.#fail();
  }

  override async stream(_method?: string, _options?: CallOptions): Promise<Duplex> {
    this.#fail();
  }

  override async withResource<T>(_io: ResourceIo, _use: (handle: ClientStreamHandle) => Promise<T>, _options?: CallOptions): Promise<T> {
    this.#fail();
  }
}
